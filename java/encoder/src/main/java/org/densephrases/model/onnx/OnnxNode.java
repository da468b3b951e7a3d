package org.densephrases.model.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.densephrases.kernels.util.FloatList;
import org.densephrases.kernels.util.LongList;

/**
 * One NodeProto: an operator with named inputs and outputs, and the attributes we may need (floats, ints, tensors).
 *
 * @param name the node's name (may be empty)
 * @param opType the operator, for example {@code MatMul}
 * @param inputs the input value names, in order ({@code ""} for a skipped optional input)
 * @param outputs the output value names, in order
 * @param attributes attribute name to value
 */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs,
    Map<String, Attribute> attributes) {

  /**
   * The AttributeProto fields we read: f, i, s, t, floats, ints. Absent ones are 0, null or empty.
   *
   * @param name the attribute's name
   * @param f its float value
   * @param i its int value
   * @param s its string value
   * @param t its tensor value
   * @param floats its float list
   * @param ints its int list
   */
  public record Attribute(String name, float f, long i, String s, OnnxTensor t, float[] floats, long[] ints) {}

  /**
   * The name of an input value.
   *
   * @param k the input's index
   * @return its value name, or {@code ""} when the node has fewer inputs
   */
  public String input(int k) {
    return k < inputs.size() ? inputs.get(k) : "";
  }

  static OnnxNode parse(ProtoReader r) {
    String name = "";
    String op = "";
    List<String> in = new ArrayList<>();
    List<String> out = new ArrayList<>();
    Map<String, Attribute> attrs = new LinkedHashMap<>();
    while (r.hasMore()) {
      int tag = r.readTag();
      int wire = tag & 7;
      switch (tag >>> 3) {
        case 1 -> in.add(r.readString());
        case 2 -> out.add(r.readString());
        case 3 -> name = r.readString();
        case 4 -> op = r.readString();
        case 5 -> {
          Attribute a = parseAttribute(r.readMessage("attribute"));
          attrs.put(a.name(), a);
        }
        default -> r.skip(wire);
      }
    }
    return new OnnxNode(name, op, Collections.unmodifiableList(in), Collections.unmodifiableList(out),
        Collections.unmodifiableMap(attrs));
  }

  private static Attribute parseAttribute(ProtoReader r) {
    String name = "";
    float f = 0;
    long i = 0;
    String s = null;
    OnnxTensor t = null;
    FloatList floats = new FloatList(16);
    LongList ints = new LongList(4);
    while (r.hasMore()) {
      int tag = r.readTag();
      int wire = tag & 7;
      switch (tag >>> 3) {
        case 1 -> name = r.readString();
        case 2 -> f = Float.intBitsToFloat(r.readFixed32());
        case 3 -> i = r.readVarint();
        case 4 -> s = r.readString();
        case 5 -> t = OnnxTensor.parse(r.readMessage("t"));
        case 7 -> {
          if (wire == ProtoReader.LEN) {
            ProtoReader p = r.readMessage("floats");
            while (p.hasMore()) {
              floats.add(Float.intBitsToFloat(p.readFixed32()));
            }
          } else {
            floats.add(Float.intBitsToFloat(r.readFixed32()));
          }
        }
        case 8 -> OnnxTensor.readLongs(r, wire, ints, false);
        default -> r.skip(wire);
      }
    }
    return new Attribute(name, f, i, s, t, floats.toArray(), ints.toArray());
  }
}
