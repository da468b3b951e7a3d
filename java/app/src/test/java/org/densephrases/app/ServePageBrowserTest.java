package org.densephrases.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in headless Chromium (Debian's chromium and chromedriver, driven by Selenium; nothing is downloaded):
 * type a question, see the answers with the phrase highlighted in its evidence and the title, switch the unit, and
 * save a screenshot to target/browser-test/serve-page.png.
 *
 * <p>Chromium missing is a failure naming tools/install-test-deps.sh, not a skip, so CI cannot pass without running
 * it; {@code -Ddensephrases.skipBrowserTests=true} skips on purpose. {@code -Ddensephrases.chromium} and
 * {@code -Ddensephrases.chromedriver} point elsewhere than /usr/bin.
 */
@ExtendWith(ServeEndToEndTest.Fixture.class)
class ServePageBrowserTest {
  static final String SKIP = "densephrases.skipBrowserTests";

  static Path executable(String property, String fallback) {
    return Path.of(System.getProperty(property, fallback));
  }

  static Path chromium;
  static Path chromedriver;

  /** Before the fixture is built: a skip or a missing browser costs no dump. */
  @BeforeAll
  static void findChromium() {
    Assumptions.assumeFalse(Boolean.getBoolean(SKIP), "browser tests skipped by -D" + SKIP + "=true");
    chromium = executable("densephrases.chromium", "/usr/bin/chromium");
    chromedriver = executable("densephrases.chromedriver", "/usr/bin/chromedriver");
    if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
      fail("the browser test needs Chromium and its driver (" + chromium + ", " + chromedriver + "): run "
          + "tools/install-test-deps.sh (apt-get install chromium chromium-driver), or skip with -D" + SKIP
          + "=true");
    }
  }

  @Test
  void typeAQuestionAndSeeHighlightedAnswers(ServeFixture f) throws Exception {
    Path profile = Files.createTempDirectory("densephrases-chromium-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1100,900", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      driver.get(f.server.uri().toString());
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
      // The header line comes from /health.
      wait.until(d -> d.findElement(By.id("server")).getText().contains("phrases"));
      WebElement q = driver.findElement(By.id("q"));
      assertEquals(q, driver.switchTo().activeElement(), "the question box has the focus");
      q.sendKeys("When was the Eiffel Tower completed?");
      driver.findElement(By.id("go")).click();
      wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#answers li.answer")));
      wait.until(d -> d.findElement(By.id("status")).getText().contains(" ms"));
      List<WebElement> answers = driver.findElements(By.cssSelector("#answers li.answer"));
      assertEquals(10, answers.size(), "k = 10 by default");
      for (WebElement a : answers) {
        String text = a.findElement(By.cssSelector(".text")).getText();
        WebElement mark = a.findElement(By.cssSelector(".evidence mark"));
        assertFalse(mark.getText().isBlank(), "the answer is highlighted");
        assertEquals(text, mark.getText(), "the highlight is the answer phrase");
        assertTrue(a.findElement(By.cssSelector(".evidence")).getText().contains(text));
        String title = a.findElement(By.cssSelector(".title")).getText();
        assertTrue(ServeFixture.CORPUS.stream().anyMatch(p -> p.title().equals(title)), title);
      }
      String status = driver.findElement(By.id("status")).getText();
      assertTrue(status.matches("10 answers by phrase in [0-9.]+ ms .*"), status);
      // scores, document ids and offsets only behind the details toggle
      WebElement first = answers.get(0);
      assertFalse(first.findElement(By.cssSelector(".score")).isDisplayed());
      assertFalse(first.findElement(By.cssSelector(".source .meta")).isDisplayed());
      assertFalse(first.getText().contains("doc p-"), first.getText());
      driver.findElement(By.id("details")).click();
      assertTrue(first.findElement(By.cssSelector(".score")).isDisplayed());
      assertTrue(first.getText().contains("doc p-"), first.getText());
      assertTrue(driver.getCurrentUrl().contains("details=1"), driver.getCurrentUrl());
      driver.findElement(By.id("details")).click();
      assertFalse(first.findElement(By.cssSelector(".score")).isDisplayed());

      // The paragraph unit shows the paragraph, not just the sentence.
      driver.findElement(By.cssSelector("input[name=unit][value=paragraph]")).click();
      wait.until(d -> d.findElement(By.id("status")).getText().contains("by paragraph"));
      for (WebElement a : driver.findElements(By.cssSelector("#answers li.answer"))) {
        String ev = a.findElement(By.cssSelector(".evidence")).getText();
        assertTrue(ServeFixture.CORPUS.stream().anyMatch(p -> p.text().equals(ev)), "a whole paragraph: " + ev);
      }

      // Switch the unit: the page asks again and shows sentence results.
      driver.findElement(By.cssSelector("input[name=unit][value=sentence]")).click();
      wait.until(d -> d.findElement(By.id("status")).getText().contains("by sentence"));
      assertFalse(driver.findElements(By.cssSelector("#answers li.answer .evidence mark")).isEmpty());

      // Back to phrases for the picture.
      driver.findElement(By.cssSelector("input[name=unit][value=phrase]")).click();
      wait.until(d -> d.findElement(By.id("status")).getText().contains("by phrase"));
      Path out = Path.of("target", "browser-test");
      Files.createDirectories(out);
      File shot = driver.getScreenshotAs(OutputType.FILE);
      Path png = out.resolve("serve-page.png");
      Files.copy(shot.toPath(), png, StandardCopyOption.REPLACE_EXISTING);
      assertTrue(Files.size(png) > 10_000, "a real screenshot");

      // A shared link with a k the list does not offer, at a phone's width.
      driver.manage().window().setSize(new org.openqa.selenium.Dimension(400, 900));
      driver.get(f.server.uri() + "?q=Who+walked+on+the+Moon%3F&k=7&unit=phrase");
      wait.until(d -> d.findElement(By.id("status")).getText().contains("by phrase"));
      assertEquals("7", new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("k")))
          .getFirstSelectedOption().getText());
      assertEquals(7, driver.findElements(By.cssSelector("#answers li.answer")).size());
      Number scrollWidth = (Number) driver.executeScript("return document.documentElement.scrollWidth");
      assertTrue(scrollWidth.intValue() <= 400, "no sideways scrolling at 400 px: " + scrollWidth);
      Path narrow = out.resolve("serve-page-400.png");
      Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), narrow, StandardCopyOption.REPLACE_EXISTING);
      assertTrue(Files.size(narrow) > 10_000, "a real screenshot");
      driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));

      // An error shows as an error, not as stale answers.
      // maxlength=512 in the form, so go past it through the URL
      driver.get(f.server.uri() + "?q=" + "y".repeat(600));
      wait.until(d -> d.findElement(By.id("status")).getText().startsWith("Error:"));
      assertTrue(driver.findElement(By.id("status")).getText().contains("at most 512"),
          driver.findElement(By.id("status")).getText());
      assertTrue(driver.findElements(By.cssSelector("#answers li.answer")).isEmpty());
    } finally {
      driver.quit();
      try (var s = Files.walk(profile)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
