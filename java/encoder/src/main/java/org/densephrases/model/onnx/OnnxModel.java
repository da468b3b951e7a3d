package org.densephrases.model.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX ModelProto that weight import needs: the graph's nodes (in file order, which exporters write
 * topologically), its initializers, inputs and outputs. Read from a byte array holding the whole file; tensors
 * reference that array and decode on demand.
 *
 * <p>Field numbers follow onnx/onnx.proto (ModelProto.graph = 7; GraphProto.node = 1, initializer = 5, input = 11,
 * output = 12; NodeProto input = 1, output = 2, name = 3, op_type = 4, attribute = 5; TensorProto dims = 1,
 * data_type = 2, float_data = 4, int32_data = 5, int64_data = 7, name = 8, raw_data = 9, double_data = 10,
 * data_location = 14).
 */
public final class OnnxModel {
  private final String source;
  private final long irVersion;
  private final String producer;
  private final List<OnnxNode> nodes;
  private final Map<String, OnnxTensor> initializers;
  private final List<OnnxValueInfo> inputs;
  private final List<OnnxValueInfo> outputs;
  private final Map<String, List<OnnxNode>> consumers = new HashMap<>();
  private final Map<String, OnnxNode> producers = new HashMap<>();

  private OnnxModel(String source, long irVersion, String producer, List<OnnxNode> nodes,
      Map<String, OnnxTensor> initializers, List<OnnxValueInfo> inputs, List<OnnxValueInfo> outputs) {
    this.source = source;
    this.irVersion = irVersion;
    this.producer = producer;
    this.nodes = nodes;
    this.initializers = initializers;
    this.inputs = inputs;
    this.outputs = outputs;
    for (OnnxNode n : nodes) {
      for (String in : n.inputs()) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
      }
      for (String out : n.outputs()) {
        producers.put(out, n);
      }
    }
  }

  /**
   * Parses a whole ONNX file. {@code source} names it in error messages.
   *
   * @param bytes the whole file
   * @param source a name for the bytes (path or resource)
   * @return the parsed graph and initializers
   * @throws OnnxFormatException when the bytes are not a readable ONNX model
   */
  public static OnnxModel parse(byte[] bytes, String source) {
    if (bytes.length == 0) {
      throw new OnnxFormatException(source + ": empty file");
    }
    ProtoReader r = new ProtoReader(bytes, 0, bytes.length, source);
    long ir = 0;
    String producer = "";
    ProtoReader graph = null;
    while (r.hasMore()) {
      int tag = r.readTag();
      int wire = tag & 7;
      switch (tag >>> 3) {
        case 1 -> ir = r.readVarint();
        case 2 -> producer = r.readString();
        case 7 -> graph = r.readMessage("graph");
        default -> r.skip(wire);
      }
    }
    if (graph == null) {
      throw new OnnxFormatException(source + ": no graph (is this an ONNX model file?)");
    }
    List<OnnxNode> nodes = new ArrayList<>();
    Map<String, OnnxTensor> inits = new LinkedHashMap<>();
    List<OnnxValueInfo> inputs = new ArrayList<>();
    List<OnnxValueInfo> outputs = new ArrayList<>();
    while (graph.hasMore()) {
      int tag = graph.readTag();
      int wire = tag & 7;
      switch (tag >>> 3) {
        case 1 -> nodes.add(OnnxNode.parse(graph.readMessage("node")));
        case 5 -> {
          OnnxTensor t = OnnxTensor.parse(graph.readMessage("initializer"));
          inits.put(t.name(), t);
        }
        case 11 -> inputs.add(OnnxValueInfo.parse(graph.readMessage("input")));
        case 12 -> outputs.add(OnnxValueInfo.parse(graph.readMessage("output")));
        default -> graph.skip(wire);
      }
    }
    return new OnnxModel(source, ir, producer, Collections.unmodifiableList(nodes),
        Collections.unmodifiableMap(inits), Collections.unmodifiableList(inputs),
        Collections.unmodifiableList(outputs));
  }

  /**
   * Reads an ONNX file from the classpath (e.g. a model jar).
   *
   * @param resource a classpath resource path
   * @return the parsed model
   * @throws IllegalArgumentException when the resource is missing
   */
  public static OnnxModel fromResource(String resource) {
    return parse(Resources.readAll(resource), "classpath:" + resource);
  }

  /**
   * Reads and parses a whole ONNX stream.
   *
   * @param in the stream (read to its end, not closed)
   * @param source a name for the stream, for errors
   * @return the parsed model
   * @throws java.io.UncheckedIOException when the stream cannot be read
   */
  public static OnnxModel fromStream(InputStream in, String source) {
    try {
      return parse(in.readAllBytes(), source);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source, e);
    }
  }

  /** {@return where the model came from, for errors} */
  public String source() {
    return source;
  }

  /** {@return the file's ONNX IR version} */
  public long irVersion() {
    return irVersion;
  }

  /** {@return the producer name written in the file (for example {@code pytorch})} */
  public String producer() {
    return producer;
  }

  /** {@return the graph's nodes, in file (topological) order} */
  public List<OnnxNode> nodes() {
    return nodes;
  }

  /** {@return initializer name to tensor} */
  public Map<String, OnnxTensor> initializers() {
    return initializers;
  }

  /** {@return the graph's inputs} */
  public List<OnnxValueInfo> inputs() {
    return inputs;
  }

  /** {@return the graph's outputs} */
  public List<OnnxValueInfo> outputs() {
    return outputs;
  }

  /**
   * Nodes that read the named value (empty when none).
   *
   * @param value a value (tensor) name in the graph
   * @return the consuming nodes, in graph order
   */
  public List<OnnxNode> consumersOf(String value) {
    return consumers.getOrDefault(value, List.of());
  }

  /**
   * The node that writes the named value, or null for graph inputs and initializers.
   *
   * @param value a value (tensor) name in the graph
   * @return the producing node, or null
   */
  public OnnxNode producerOf(String value) {
    return producers.get(value);
  }

  /**
   * A named initializer, or a clear error naming the file.
   *
   * @param name the initializer's name
   * @return the initializer's dims, type and (still encoded) data
   * @throws OnnxFormatException when there is no initializer of that name
   */
  public OnnxTensor initializer(String name) {
    OnnxTensor t = initializers.get(name);
    if (t == null) {
      throw new OnnxFormatException(source + ": no initializer named '" + name + "'");
    }
    return t;
  }
}
