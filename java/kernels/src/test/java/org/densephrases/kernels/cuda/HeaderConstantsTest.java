package org.densephrases.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.kernels.VectorType;
import org.junit.jupiter.api.Test;

/**
 * The Java copies of the C header's constants (ABI version, status codes, vector type codes, limits) equal
 * {@code native/include/densephrases.h}: the header is parsed here ({@code #define DP_X N} and {@code DP_X = N}
 * enumerators), so changing one side without the other fails the build on any machine, GPU or not.
 */
class HeaderConstantsTest {
  static final Path HEADER = header();

  /** The header, from the module folder (Maven) or the repository root (tools/gpu-java-tests.sh runs the jars). */
  private static Path header() {
    Path fromModule = Path.of("../../native/include/densephrases.h");
    Path fromRoot = Path.of("native/include/densephrases.h");
    return Files.isRegularFile(fromModule) || !Files.isRegularFile(fromRoot) ? fromModule : fromRoot;
  }

  static Map<String, Long> constants() throws IOException {
    assertTrue(Files.isRegularFile(HEADER), HEADER.toAbsolutePath() + " is missing");
    String text = Files.readString(HEADER);
    Map<String, Long> out = new HashMap<>();
    Matcher d = Pattern.compile("(?m)^#define\\s+(DP_[A-Z0-9_]+)\\s+(\\d+)\\b").matcher(text);
    while (d.find()) {
      out.put(d.group(1), Long.parseLong(d.group(2)));
    }
    Matcher e = Pattern.compile("\\b(DP_[A-Z0-9_]+)\\s*=\\s*(\\d+)\\s*[,}/\\n]").matcher(text);
    while (e.find()) {
      out.put(e.group(1), Long.parseLong(e.group(2)));
    }
    return out;
  }

  static long get(Map<String, Long> h, String name) {
    assertTrue(h.containsKey(name), name + " is not in " + HEADER);
    return h.get(name);
  }

  /** The value of the static int or long field {@code name} of {@code c}, failing when there is none. */
  static long field(Class<?> c, String name) {
    try {
      java.lang.reflect.Field f = c.getDeclaredField(name);
      f.setAccessible(true);
      return ((Number) f.get(null)).longValue();
    } catch (NoSuchFieldException | IllegalAccessException e) {
      throw new AssertionError(c.getSimpleName() + " has no constant " + name + " for the header's DP_" + name, e);
    }
  }

  @Test
  void abiVersionAndVectorTypesEqualTheHeader() throws IOException {
    Map<String, Long> h = constants();
    assertEquals(get(h, "DP_ABI_VERSION"), NativeLibrary.ABI_VERSION, "ABI version");
    for (VectorType t : VectorType.values()) {
      assertEquals(get(h, "DP_" + t.name()), t.nativeCode, "dp_vector_type " + t);
    }
  }

  /** Every status code of the header (DP_OK, DP_ERR_*) has a constant of the same name and value in {@link Dp}. */
  @Test
  void everyStatusCodeHasItsJavaTwin() throws IOException {
    int n = 0;
    for (Map.Entry<String, Long> e : constants().entrySet()) {
      String k = e.getKey();
      if (k.equals("DP_OK") || k.startsWith("DP_ERR_")) {
        assertEquals(e.getValue(), field(Dp.class, k.substring(3)), k);
        n++;
      }
    }
    assertTrue(n >= 2, "no status codes parsed from " + HEADER);
  }

  /** Every limit of the header (DP_MAX_*) has a constant of the same name and value in {@link KernelLimits}. */
  @Test
  void everyLimitHasItsJavaTwin() throws IOException {
    int n = 0;
    for (Map.Entry<String, Long> e : constants().entrySet()) {
      String k = e.getKey();
      if (k.startsWith("DP_MAX_")) {
        assertEquals(e.getValue(), field(KernelLimits.class, k.substring(3)), k);
        n++;
      }
    }
    assertTrue(n >= 5, "no limits parsed from " + HEADER);
  }

  /** Every constant of the BERT encoder (DP_BERT_*) has a twin in {@link CudaBert}: the same name less the prefix. */
  @Test
  void everyBertConstantHasItsJavaTwin() throws IOException {
    int n = 0;
    for (Map.Entry<String, Long> e : constants().entrySet()) {
      String k = e.getKey();
      if (k.startsWith("DP_BERT_")) {
        assertEquals(e.getValue(), field(CudaBert.class, k.substring("DP_BERT_".length())), k);
        n++;
      }
    }
    assertEquals(7, n, "DP_BERT_* constants parsed from " + HEADER);
  }
}
