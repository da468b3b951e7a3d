package org.densephrases.model.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire-format reader on hand-built messages: every encoding of the fields weight import reads. */
class OnnxModelTest {

  private static ProtoWriter tensor(String name, int type, long... dims) {
    ProtoWriter t = new ProtoWriter().string(8, name).varint(2, type);
    for (long d : dims) {
      t.varint(1, d); // unpacked dims
    }
    return t;
  }

  private static byte[] model(ProtoWriter graph) {
    return new ProtoWriter().varint(1, 8).string(2, "test").message(7, graph).toByteArray();
  }

  @Test
  void readsRawTypedAndPackedTensorsNodesAndIo() {
    ProtoWriter raw = tensor("w", OnnxTensor.FLOAT, 2, 3).bytes(9, ProtoWriter.rawFloats(1, 2, 3, 4, 5, -6.5f));
    ProtoWriter typed = new ProtoWriter().packedVarints(1, 3).varint(2, OnnxTensor.FLOAT).packedFloats(4, 0.5f, 1e-12f,
        -3).string(8, "b");
    ProtoWriter unpackedFloats = tensor("u", OnnxTensor.FLOAT, 2)
        .fixed32(4, Float.floatToRawIntBits(7f)).fixed32(4, Float.floatToRawIntBits(8f));
    ProtoWriter longs = tensor("ids", OnnxTensor.INT64, 3).packedVarints(7, 5, -1, 1L << 40);
    ProtoWriter half = tensor("h", OnnxTensor.FLOAT16, 2).bytes(9, new byte[] {0x00, 0x3c, 0x00, (byte) 0xc0});
    ProtoWriter node = new ProtoWriter().string(1, "x").string(1, "w").string(2, "y").string(3, "mm")
        .string(4, "MatMul")
        .message(5, new ProtoWriter().string(1, "alpha").fixed32(2, Float.floatToRawIntBits(0.25f)).varint(20, 1))
        .message(5, new ProtoWriter().string(1, "value").message(5, tensor("c", OnnxTensor.FLOAT).bytes(9,
            ProtoWriter.rawFloats(1e-12f))));
    ProtoWriter dimBatch = new ProtoWriter().string(2, "batch");
    ProtoWriter dim384 = new ProtoWriter().varint(1, 384);
    ProtoWriter shape = new ProtoWriter().message(1, dimBatch).message(1, dim384);
    ProtoWriter input = new ProtoWriter().string(1, "x")
        .message(2, new ProtoWriter().message(1, new ProtoWriter().varint(1, 1).message(2, shape)));
    ProtoWriter graph = new ProtoWriter().message(1, node).string(2, "g").message(5, raw).message(5, typed)
        .message(5, unpackedFloats).message(5, longs).message(5, half).message(11, input)
        .message(12, new ProtoWriter().string(1, "y"));

    OnnxModel m = OnnxModel.parse(model(graph), "hand-built");
    assertEquals(8, m.irVersion());
    assertEquals("test", m.producer());
    assertArrayEquals(new long[] {2, 3}, m.initializer("w").dims());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f}, m.initializer("w").floats());
    assertArrayEquals(new float[] {0.5f, 1e-12f, -3}, m.initializer("b").floats());
    assertArrayEquals(new float[] {7, 8}, m.initializer("u").floats());
    assertArrayEquals(new long[] {5, -1, 1L << 40}, m.initializer("ids").longs());
    assertArrayEquals(new float[] {1, -2}, m.initializer("h").floats());

    OnnxNode n = m.nodes().get(0);
    assertEquals("MatMul", n.opType());
    assertEquals(List.of("x", "w"), n.inputs());
    assertEquals(0.25f, n.attributes().get("alpha").f());
    assertArrayEquals(new float[] {1e-12f}, n.attributes().get("value").t().floats());
    assertEquals(n, m.producerOf("y"));
    assertEquals(List.of(n), m.consumersOf("w"));

    OnnxValueInfo in = m.inputs().get(0);
    assertEquals("x", in.name());
    assertEquals(1, in.elemType());
    assertArrayEquals(new long[] {-1, 384}, in.dims());
    assertEquals(List.of("batch", ""), in.dimNames());
    assertEquals("y", m.outputs().get(0).name());
  }

  @Test
  void rejectsWhatItCannotRead() {
    assertMessage("empty file", () -> OnnxModel.parse(new byte[0], "f.onnx"));
    assertMessage("no graph", () -> OnnxModel.parse(new ProtoWriter().varint(1, 7).toByteArray(), "f.onnx"));
    byte[] good = model(new ProtoWriter().message(5, tensor("w", OnnxTensor.FLOAT, 1).bytes(9,
        ProtoWriter.rawFloats(1))));
    assertMessage("runs past the end", () -> OnnxModel.parse(Arrays.copyOf(good, good.length - 2), "f.onnx"));
    assertMessage("wire type", () -> OnnxModel.parse(new byte[] {0x0b, 0x00}, "f.onnx")); // group start
    // dims say 4 floats, raw_data has 1.
    OnnxModel shortRaw = OnnxModel.parse(model(new ProtoWriter().message(5, tensor("w", OnnxTensor.FLOAT, 4)
        .bytes(9, ProtoWriter.rawFloats(1)))), "f.onnx");
    assertMessage("need 16 bytes of raw_data, found 4", () -> shortRaw.initializer("w").floats());
    assertMessage("not a integer type", () -> shortRaw.initializer("w").longs());
    assertMessage("no initializer named 'v'", () -> shortRaw.initializer("v"));
    // data_location = EXTERNAL
    assertMessage("external file", () -> OnnxModel.parse(model(new ProtoWriter().message(5,
        tensor("w", OnnxTensor.FLOAT, 1).varint(14, 1))), "f.onnx"));
  }

  @Test
  void missingResourceNamesTheFix() {
    assertMessage("model jar", () -> OnnxModel.fromResource("no/such/model.onnx"));
  }

  static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
    RuntimeException ex = assertThrows(RuntimeException.class, e);
    assertTrue(ex.getMessage().contains(part), () -> "message '" + ex.getMessage() + "' lacks '" + part + "'");
  }
}
