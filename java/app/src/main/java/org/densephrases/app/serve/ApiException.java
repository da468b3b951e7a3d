package org.densephrases.app.serve;

/** A request the server refuses: the HTTP status (4xx, or 503) and a message saying what is wrong. */
final class ApiException extends RuntimeException {
  final int status;

  ApiException(int status, String message) {
    super(message, null, false, false); // control flow, not a bug: no stack trace
    this.status = status;
  }
}
