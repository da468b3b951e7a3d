package org.densephrases.model.augment;

/** A question written for one candidate answer of a passage. */
public record GeneratedQuestion(String question, CandidateAnswer answer) {}
