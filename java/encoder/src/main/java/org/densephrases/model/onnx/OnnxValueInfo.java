package org.densephrases.model.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.densephrases.kernels.util.LongList;

/**
 * A graph input or output: name, element type and shape. Each dimension is either a number or a symbolic name
 * (e.g. "batch_size"); {@code dims} holds -1 where the dimension is symbolic.
 *
 * @param name the value's name
 * @param elemType its TensorProto element type
 * @param dims its dims, -1 for a symbolic one
 * @param dimNames each dim's symbolic name, or null for a numeric one
 */
public record OnnxValueInfo(String name, int elemType, long[] dims, List<String> dimNames) {

  static OnnxValueInfo parse(ProtoReader r) {
    String name = "";
    int elemType = 0;
    LongList dims = new LongList(4);
    List<String> dimNames = new ArrayList<>();
    while (r.hasMore()) {
      int tag = r.readTag();
      int wire = tag & 7;
      switch (tag >>> 3) {
        case 1 -> name = r.readString();
        case 2 -> { // TypeProto
          ProtoReader type = r.readMessage("type");
          while (type.hasMore()) {
            int t = type.readTag();
            if (t >>> 3 == 1 && (t & 7) == ProtoReader.LEN) { // tensor_type
              ProtoReader tt = type.readMessage("tensor_type");
              while (tt.hasMore()) {
                int u = tt.readTag();
                if (u >>> 3 == 1) {
                  elemType = (int) tt.readVarint();
                } else if (u >>> 3 == 2 && (u & 7) == ProtoReader.LEN) { // TensorShapeProto
                  ProtoReader shape = tt.readMessage("shape");
                  while (shape.hasMore()) {
                    int v = shape.readTag();
                    if (v >>> 3 == 1 && (v & 7) == ProtoReader.LEN) {
                      readDim(shape.readMessage("dim"), dims, dimNames);
                    } else {
                      shape.skip(v & 7);
                    }
                  }
                } else {
                  tt.skip(u & 7);
                }
              }
            } else {
              type.skip(t & 7);
            }
          }
        }
        default -> r.skip(wire);
      }
    }
    return new OnnxValueInfo(name, elemType, dims.toArray(), Collections.unmodifiableList(dimNames));
  }

  private static void readDim(ProtoReader d, LongList dims, List<String> names) {
    long value = -1;
    String param = "";
    while (d.hasMore()) {
      int t = d.readTag();
      switch (t >>> 3) {
        case 1 -> value = d.readVarint();
        case 2 -> param = d.readString();
        default -> d.skip(t & 7);
      }
    }
    dims.add(value);
    names.add(param);
  }
}
