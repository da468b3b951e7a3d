package org.densephrases.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader says why each place failed, never crashes, and refuses what is not our library. */
class NativeLibraryTest {

  @Test
  void missingExplicitPathIsReportedWithItsSource() {
    List<String> reasons = new ArrayList<>();
    NativeLibrary lib = NativeLibrary.attempt("/nonexistent/dir/libdensephrases.so", "-Dx", "", false, reasons);
    assertNull(lib);
    assertTrue(reasons.get(0).contains("-Dx") && reasons.get(0).contains("does not exist"), reasons.toString());
    assertTrue(reasons.stream().anyMatch(r -> r.contains("java.library.path")), reasons.toString());
  }

  @Test
  void aFileThatIsNotALibraryIsRefusedWithAMessage(@TempDir Path dir) throws Exception {
    Path fake = dir.resolve(NativeLibrary.LIB_FILE);
    Files.writeString(fake, "not an ELF file");
    List<String> reasons = new ArrayList<>();
    assertNull(NativeLibrary.attempt(dir.toString(), "-Dx", "", false, reasons));
    assertTrue(reasons.get(0).contains("could not be opened"), reasons.toString());
    // the same file found through java.library.path is refused too, and the reason names that step
    reasons.clear();
    assertNull(NativeLibrary.attempt(null, "-Dx", dir.toString(), false, reasons));
    assertTrue(reasons.stream().anyMatch(r -> r.startsWith("java.library.path") && r.contains("could not be opened")),
        reasons.toString());
  }

  @Test
  void nothingGivenListsEveryStep() {
    List<String> reasons = new ArrayList<>();
    assertNull(NativeLibrary.attempt(null, "-Dx", "", false, reasons));
    assertEquals(2, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).contains("no explicit path"));
  }

  /** When the build packed the library (nvcc present), it loads from the jar resource and its ABI matches. */
  @Test
  void packedLibraryLoadsAndHasTheRightAbi() {
    Assumptions.assumeTrue(
        NativeLibraryTest.class.getResource("/native/" + NativeLibrary.platform() + "/" + NativeLibrary.LIB_FILE)
            != null,
        "libdensephrases.so was not built (no nvcc): nothing to load");
    List<String> reasons = new ArrayList<>();
    NativeLibrary lib = NativeLibrary.attempt(null, "-Dx", "", true, reasons);
    assertNotNull(lib, reasons.toString());
    assertTrue(lib.describe().contains("jar resource"), lib.describe());
  }

  /**
   * Without a GPU the library loads but the backend is refused with a reason; with one, it names the device.
   * Never a crash either way.
   */
  @Test
  void cudaBackendIsEitherUsableOrRefusedWithAReason() {
    try {
      KernelBackend b = Backends.byName("cuda");
      assertEquals("cuda", b.name());
      assertTrue(b.device().contains("sm_"), b.device());
    } catch (UnsupportedBackendException e) {
      assertNotNull(e.getMessage());
      assertTrue(e.getMessage().contains("libdensephrases") || e.getMessage().contains("CUDA device"),
          e.getMessage());
    }
  }

  @Test
  void unknownBackendNameIsAnIllegalArgument() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.byName("tpu"));
    assertTrue(e.getMessage().contains("tpu"));
  }
}
