package org.densephrases.model.augment;

/** What kind of thing a candidate answer is; it picks the question's wh-phrase. */
public enum AnswerType {
  /** a year, a date, a decade or a century: "When" */
  DATE,
  /** a count followed by what is counted ("12,000 students"): "How many" */
  NUMBER,
  /** an amount of money ("$5 million"): "How much" */
  MONEY,
  /** a percentage ("30%", "30 percent"): "What percentage" */
  PERCENT,
  /** a person's name (title or known given name, or a verb only people do): "Who" */
  PERSON,
  /** another proper name (a place after in/at gets "Where"): "What" */
  ENTITY,
  /** a common noun phrase (the object of a verb): "What" */
  THING
}
