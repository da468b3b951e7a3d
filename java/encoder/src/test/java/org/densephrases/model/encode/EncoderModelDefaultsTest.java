package org.densephrases.model.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model directory's defaults.json gives the dump's filter threshold; without one every token is kept. */
class EncoderModelDefaultsTest {
  @TempDir Path tmp;

  @Test
  void thresholdComesFromTheModelDirectory() throws IOException {
    Files.writeString(tmp.resolve(EncoderModel.DEFAULTS_FILE), "{\"filterThreshold\": -3.25, \"note\": \"x\"}");
    assertEquals(-3.25f, EncoderModel.defaultFilterThreshold(tmp.toString()));
  }

  @Test
  void noFileNoKeyOrAPretrainedNameKeepsEveryToken() throws IOException {
    assertEquals(Float.NEGATIVE_INFINITY, EncoderModel.defaultFilterThreshold(tmp.toString()));
    Files.writeString(tmp.resolve(EncoderModel.DEFAULTS_FILE), "{\"note\": \"no threshold\"}");
    assertEquals(Float.NEGATIVE_INFINITY, EncoderModel.defaultFilterThreshold(tmp.toString()));
    assertEquals(Float.NEGATIVE_INFINITY, EncoderModel.defaultFilterThreshold("all-minilm-l6-v2"));
  }

  @Test
  void malformedFileIsAnErrorNamingIt() throws IOException {
    Files.writeString(tmp.resolve(EncoderModel.DEFAULTS_FILE), "{\"filterThreshold\": \"low\"");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EncoderModel.defaultFilterThreshold(tmp.toString()));
    assertTrue(e.getMessage().contains(EncoderModel.DEFAULTS_FILE), e.getMessage());
  }

  @Test
  void theCommittedDefaultModelHasAFilterThreshold() throws IOException {
    Path committed = Path.of(System.getProperty("user.dir")).resolve("../../models/e5-small-tied").normalize();
    float t = EncoderModel.defaultFilterThreshold(committed.toString());
    assertTrue(t > -10 && t < 0, "threshold " + t);
  }
}
