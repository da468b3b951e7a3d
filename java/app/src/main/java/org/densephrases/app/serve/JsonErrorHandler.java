package org.densephrases.app.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself (a URI it refuses as ambiguous or escaping, a malformed request line, 503 while shutting
 * down) in the API's JSON shape instead of an HTML page, and counts them in the metrics (endpoint "jetty").
 */
final class JsonErrorHandler extends ErrorHandler {
  /** Request attribute set on a request whose client went away (already counted as abandoned). */
  static final String ABANDONED = "densephrases.abandoned";

  private final Metrics metrics;

  JsonErrorHandler(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) {
    if (request.getAttribute(ABANDONED) == null) {
      metrics.rejectedByJetty(code);
    }
    String m = message != null && !message.isBlank() ? message : HttpStatus.getMessage(code);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Content.Sink.write(response, true, JsonViews.error(code, m), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    metrics.rejectedByJetty(status);
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8"));
    String m = reason != null && !reason.isBlank() ? reason : HttpStatus.getMessage(status);
    return ByteBuffer.wrap(JsonViews.error(status, m).getBytes(StandardCharsets.UTF_8));
  }
}
