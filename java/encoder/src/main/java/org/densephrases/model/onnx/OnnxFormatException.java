package org.densephrases.model.onnx;

/** An ONNX file that cannot be read: truncated, not protobuf, or missing what the caller needs. */
public final class OnnxFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An error with a message.
   *
   * @param message what is wrong and where in the file
   */
  public OnnxFormatException(String message) {
    super(message);
  }
}
