package org.densephrases.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds and loads libdensephrases, once per JVM, in this order:
 *
 * <ol>
 *   <li>an explicit path: system property {@code densephrases.native.path} or environment variable
 *       {@code DENSEPHRASES_NATIVE} (a file, or a folder holding libdensephrases.so);
 *   <li>each folder of {@code java.library.path};
 *   <li>the resource {@code /native/<os>-<arch>/libdensephrases.so} in the jar, copied to a temporary file.
 * </ol>
 *
 * <p>It never downloads anything. When every step fails, {@link #get()} throws an
 * {@link org.densephrases.kernels.UnsupportedBackendException} that lists why each step failed. A library whose
 * {@code dp_abi_version()} differs from {@link #ABI_VERSION} is refused.
 */
public final class NativeLibrary {
  /** Must equal DP_ABI_VERSION in native/include/densephrases.h. */
  public static final int ABI_VERSION = 1;

  /** The system property naming the library file. */
  public static final String PATH_PROPERTY = "densephrases.native.path";
  /** The environment variable naming the library file when the property is unset. */
  public static final String PATH_ENV = "DENSEPHRASES_NATIVE";
  static final String LIB_FILE = "libdensephrases.so";

  private static final Object LOCK = new Object();
  private static volatile NativeLibrary instance;
  private static volatile String failure;

  private final SymbolLookup lookup;
  private final Path path;
  private final String how;

  private NativeLibrary(SymbolLookup lookup, Path path, String how) {
    this.lookup = lookup;
    this.path = path;
    this.how = how;
  }

  /**
   * The loaded library; throws UnsupportedBackendException (with every reason) when it cannot be loaded.
   *
   * @return the process-wide library, loaded and ABI-checked on first use
   */
  public static NativeLibrary get() {
    NativeLibrary lib = instance;
    if (lib != null) {
      return lib;
    }
    synchronized (LOCK) {
      if (instance != null) {
        return instance;
      }
      if (failure != null) {
        throw new org.densephrases.kernels.UnsupportedBackendException(failure);
      }
      List<String> reasons = new ArrayList<>();
      NativeLibrary loaded = tryLoad(reasons);
      if (loaded == null) {
        failure = "libdensephrases could not be loaded: " + String.join("; ", reasons);
        throw new org.densephrases.kernels.UnsupportedBackendException(failure);
      }
      instance = loaded;
      return loaded;
    }
  }

  /**
   * Where the library came from, e.g. "/tmp/x/libdensephrases.so (java.library.path)".
   *
   * @return the library path and how it was found
   */
  public String describe() {
    return path + " (" + how + ")";
  }

  /** {@return the library file} */
  public Path path() {
    return path;
  }

  MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
    MemorySegment sym = lookup.find(name).orElseThrow(() -> new org.densephrases.kernels.UnsupportedBackendException(
        "symbol " + name + " is missing from " + path + ": the library is older or newer than this jar"));
    return Linker.nativeLinker().downcallHandle(sym, fd, options);
  }

  private static NativeLibrary tryLoad(List<String> reasons) {
    String explicit = System.getProperty(PATH_PROPERTY);
    String source = "-D" + PATH_PROPERTY;
    if (explicit == null || explicit.isBlank()) {
      explicit = System.getenv(PATH_ENV);
      source = "$" + PATH_ENV;
    }
    return attempt(explicit, source, System.getProperty("java.library.path", ""), true, reasons);
  }

  /**
   * One pass over the three places; package-private so tests can drive it without touching the JVM-wide state.
   * Appends one reason per failed step to {@code reasons}.
   */
  static NativeLibrary attempt(
      String explicit, String source, String libraryPath, boolean useResource, List<String> reasons) {
    // 1. explicit path
    if (explicit != null && !explicit.isBlank()) {
      Path p = Path.of(explicit.trim());
      if (Files.isDirectory(p)) {
        p = p.resolve(LIB_FILE);
      }
      NativeLibrary lib = open(p, source, reasons);
      if (lib != null) {
        return lib;
      }
    } else {
      reasons.add("no explicit path (-D" + PATH_PROPERTY + " or $" + PATH_ENV + ")");
    }
    // 2. java.library.path
    boolean any = false;
    for (String dir : libraryPath.split(java.io.File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path p = Path.of(dir).resolve(LIB_FILE);
      if (Files.isRegularFile(p)) {
        any = true;
        NativeLibrary lib = open(p, "java.library.path", reasons);
        if (lib != null) {
          return lib;
        }
      }
    }
    if (!any) {
      reasons.add("not in java.library.path");
    }
    if (!useResource) {
      return null;
    }
    // 3. resource in the jar
    String res = "/native/" + platform() + "/" + LIB_FILE;
    try (InputStream in = NativeLibrary.class.getResourceAsStream(res)) {
      if (in == null) {
        reasons.add("no resource " + res + " in the jar (built without nvcc?)");
        return null;
      }
      Path dir = Files.createTempDirectory("densephrases-native");
      Path tmp = dir.resolve(LIB_FILE + ".part");
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Path p = dir.resolve(LIB_FILE);
      Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE);
      p.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return open(p, "jar resource " + res, reasons);
    } catch (IOException e) {
      reasons.add("copying " + res + " out of the jar failed: " + e);
      return null;
    }
  }

  private static NativeLibrary open(Path p, String how, List<String> reasons) {
    if (!Files.isRegularFile(p)) {
      reasons.add(how + ": " + p + " does not exist");
      return null;
    }
    SymbolLookup lookup;
    try {
      lookup = SymbolLookup.libraryLookup(p, Arena.global());
    } catch (IllegalArgumentException e) {
      reasons.add(how + ": " + p + " could not be opened: " + e.getMessage());
      return null;
    }
    NativeLibrary lib = new NativeLibrary(lookup, p, how);
    try {
      MethodHandle version = lib.downcall("dp_abi_version", FunctionDescriptor.of(ValueLayout.JAVA_INT));
      int v = (int) version.invokeExact();
      if (v != ABI_VERSION) {
        reasons.add(how + ": " + p + " has ABI version " + v + ", this jar needs " + ABI_VERSION);
        return null;
      }
    } catch (org.densephrases.kernels.UnsupportedBackendException e) {
      reasons.add(how + ": " + e.getMessage());
      return null;
    } catch (Throwable t) {
      throw new IllegalStateException("dp_abi_version failed in " + p, t);
    }
    return lib;
  }

  static String platform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String o = os.contains("linux") ? "linux" : os.contains("mac") ? "macos" : os.contains("win") ? "windows" : os;
    String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86-64" : arch.equals("aarch64") ? "aarch64" : arch;
    return o + "-" + a.replace("x86-64", "x86_64");
  }
}
