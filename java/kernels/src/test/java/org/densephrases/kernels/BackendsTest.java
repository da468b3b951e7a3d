package org.densephrases.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backend lookup. {@link Backends#best()} decides once per JVM, so forcing it with the system property is tested in
 * child JVMs: that also proves the property works from the command line, as a CI job would use it.
 */
class BackendsTest {

  /** Whether this machine could have a CUDA device (the same tests run on the GPU machine). */
  private static boolean mayHaveGpu() {
    return Files.exists(Path.of("/dev/nvidia0")) || Files.exists(Path.of("/dev/nvidiactl"));
  }

  @Test
  void byNameGivesScalarAndSimd() {
    assertSame(ScalarBackend.INSTANCE, Backends.byName("scalar"));
    assertEquals("scalar", Backends.byName("SCALAR").name());
    KernelBackend simd = Backends.byName("simd");
    assertInstanceOf(SimdBackend.class, simd);
    assertTrue(simd.device().contains("-bit SIMD"), simd.device());
  }

  @Test
  void unknownNameThrowsIllegalArgument() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.byName("tpu"));
    assertTrue(e.getMessage().contains("'tpu'") && e.getMessage().contains("cuda, simd, scalar"), e.getMessage());
  }

  @Test
  void cudaWithoutGpuIsUnsupported() {
    if (mayHaveGpu()) {
      // On the GPU machine byName("cuda") may succeed; then it must really be the CUDA backend.
      try {
        assertEquals("cuda", Backends.byName("cuda").name());
      } catch (UnsupportedBackendException e) {
        assertFalse(e.getMessage().isBlank(), "the reason must be said");
      }
      return;
    }
    UnsupportedBackendException e =
        assertThrows(UnsupportedBackendException.class, () -> Backends.byName("cuda"));
    assertFalse(e.getMessage().isBlank(), "the reason must be said");
  }

  @Test
  void availableListsSimdBeforeScalar() {
    List<String> names = Backends.available().stream().map(KernelBackend::name).toList();
    assertTrue(names.indexOf("simd") >= 0 && names.indexOf("simd") < names.indexOf("scalar"), names.toString());
    assertFalse(mayHaveGpu() ? false : names.contains("cuda"), names.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"scalar", "simd"})
  void propertyForcesTheBackend(String name) throws Exception {
    assertEquals("backend=" + name, probe(name));
  }

  @Test
  void propertyWithUnknownNameFailsHard() throws Exception {
    String out = probe("quantum");
    assertTrue(out.startsWith("failure=IllegalArgumentException") && out.contains("'quantum'"), out);
  }

  @Test
  void propertyForcingCudaFailsHardWithoutGpu() throws Exception {
    if (mayHaveGpu()) {
      return; // covered on the GPU machine by the CUDA contract tests running for real
    }
    String out = probe("cuda");
    assertTrue(out.startsWith("failure=UnsupportedBackendException"), out);
  }

  @Test
  void withoutPropertyTheBestAvailableIsPicked() throws Exception {
    String out = probe(null);
    assertTrue(out.equals("backend=simd") || mayHaveGpu() && out.equals("backend=cuda"), out);
  }

  /** The property is also the switch of BlockedProducts and the pure-Java encoder: scalar turns their SIMD off. */
  @ParameterizedTest
  @ValueSource(strings = {"scalar", "simd", ""})
  void propertySwitchesTheOtherJavaHotLoopsToo(String name) throws Exception {
    String line = run(name.isEmpty() ? null : name).lines().filter(l -> l.startsWith("javaSimd")).findFirst()
        .orElse("no javaSimd line");
    boolean simd = !name.equals("scalar");
    assertEquals("javaSimd=" + simd + " blocked=" + simd, line);
  }

  private static String codeSource(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The backend line of {@link #run}. */
  private static String probe(String name) throws IOException, InterruptedException {
    String text = run(name);
    return text.lines()
        .filter(l -> l.startsWith("backend=") || l.startsWith("failure="))
        .findFirst()
        .orElse("no answer from the child JVM:\n" + text);
  }

  /** Runs {@link BackendProbe} in a child JVM with -Ddensephrases.backend=name (none when null): its output. */
  private static String run(String name) throws IOException, InterruptedException {
    // Under surefire the class path is a property; under the JUnit console launcher (the GPU machine) the test and
    // library jars come through its own class loader, so add where this test and Backends were loaded from.
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
        + java.io.File.pathSeparator + codeSource(BackendProbe.class) + java.io.File.pathSeparator
        + codeSource(Backends.class);
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
        "-cp", cp));
    if (name != null) {
      cmd.add("-D" + Backends.PROPERTY + "=" + name);
    }
    String nativePath = System.getProperty("densephrases.native.path");
    if (nativePath != null && !nativePath.isBlank()) {
      cmd.add("-Ddensephrases.native.path=" + nativePath);
    }
    cmd.add(BackendProbe.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
    return new String(out, StandardCharsets.UTF_8);
  }
}
