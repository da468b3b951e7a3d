package org.densephrases.model.augment;

/**
 * A question written for one candidate answer of a passage.
 *
 * @param question the question text
 * @param answer the candidate answer it asks for
 */
public record GeneratedQuestion(String question, CandidateAnswer answer) {}
