package org.densephrases.model.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads classpath resources with an error that says which artifact to add when one is missing. */
public final class Resources {
  private Resources() {}

  /**
   * Opens a classpath resource, from the thread's context class loader, else this class's.
   *
   * @param resource the resource path (a leading {@code /} is ignored)
   * @return the open stream; the caller closes it
   * @throws IllegalArgumentException when the resource is missing (the message asks for the model jar)
   */
  public static InputStream open(String resource) {
    String path = resource.startsWith("/") ? resource.substring(1) : resource;
    InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(path);
    if (in == null) {
      in = Resources.class.getClassLoader().getResourceAsStream(path);
    }
    if (in == null) {
      throw new IllegalArgumentException("classpath resource '" + path + "' not found: is the model jar that ships it "
          + "a dependency of this build?");
    }
    return in;
  }

  /**
   * Reads a whole classpath resource.
   *
   * @param resource the resource path
   * @return its bytes
   * @throws IllegalArgumentException when the resource is missing
   * @throws java.io.UncheckedIOException when it cannot be read
   */
  public static byte[] readAll(String resource) {
    try (InputStream in = open(resource)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read classpath resource " + resource, e);
    }
  }
}
