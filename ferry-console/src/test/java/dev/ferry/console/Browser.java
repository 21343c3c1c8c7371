package dev.ferry.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium (the Debian {@code chromium} and {@code chromium-driver} packages) driven by
 * Selenium, for the console's browser tests: opens pages, waits until the console says a page is
 * loaded, and collects the browser's console log so tests can assert no JavaScript error.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final Path profile;
  private final String baseUrl;

  static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  Browser(String baseUrl) throws IOException {
    this.baseUrl = baseUrl;
    this.profile = Files.createTempDirectory("ferry-console-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // The machine has no network: nothing in the background may try to reach it.
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    this.driver = new ChromeDriver(service, options);
  }

  /** Opens {@code #/route} and waits until that page has loaded. */
  void open(String route, String page) {
    // Mark the page shown now, so the wait below cannot take it for the page asked for (a hash
    // change re-renders in place; a new document starts unmarked anyway).
    driver.executeScript(
        "var v = document.getElementById('view'); if (v) { v.setAttribute('data-loaded', 'stale'); }");
    String url = baseUrl + "#/" + route;
    if (url.equals(driver.getCurrentUrl())) {
      driver.navigate().refresh(); // the same fragment again fires no hashchange
    } else {
      driver.get(url);
    }
    awaitPage(page);
  }

  void awaitPage(String page) {
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(
            d -> {
              WebElement view = d.findElement(By.id("view"));
              return page.equals(view.getAttribute("data-page"))
                  && "true".equals(view.getAttribute("data-loaded"));
            });
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> findAll(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** Waits (bounded) until {@code css} matches an element whose text is {@code text}. */
  void awaitText(String css, String text) {
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(
            d ->
                d.findElements(By.cssSelector(css)).stream()
                    .anyMatch(e -> text.equals(e.getText())));
  }

  /** Runs {@code script} in the page (e.g. to check that the log catches an error). */
  void run(String script) {
    driver.executeScript(script);
  }

  String currentUrl() {
    return driver.getCurrentUrl();
  }

  /**
   * The browser log entries at SEVERE level since the last call (JavaScript errors, failed loads).
   */
  List<String> severeLogEntries() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::toString)
        .toList();
  }

  void screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
