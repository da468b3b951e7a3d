package org.densephrases.app.serve;

/**
 * What the server serves, reported by /health and /metrics.
 *
 * @param backend kernel backend name (scalar, simd, cuda)
 * @param device the backend's device description
 * @param index exact, sq8 or pq
 * @param modelId the question encoder's model id (the dump's)
 * @param indexBytes bytes of the first-stage structure: the IVF index file, or the scanned dump vectors for exact
 * @param dumpBytes bytes of the whole dump (vectors and metadata of every shard)
 * @param phrases stored tokens (each a phrase start and end)
 * @param documents live dump documents (paragraphs; deleted ones not counted)
 * @param generation the dump generation served (0: never changed since the dump command)
 */
public record ServerInfo(String backend, String device, String index, String modelId, long indexBytes,
    long dumpBytes, long phrases, long documents, long generation) {
  /**
   * Generation 0.
   *
   * @param backend the kernel backend name (scalar, simd, cuda)
   * @param device the device in words
   * @param index the index kind and name
   * @param modelId the model id of the dump
   * @param indexBytes bytes of the first-stage structure
   * @param dumpBytes bytes of the whole dump
   * @param phrases stored tokens
   * @param documents live dump documents
   */
  public ServerInfo(String backend, String device, String index, String modelId, long indexBytes, long dumpBytes,
      long phrases, long documents) {
    this(backend, device, index, modelId, indexBytes, dumpBytes, phrases, documents, 0);
  }
}
