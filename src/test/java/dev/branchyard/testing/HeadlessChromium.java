package dev.branchyard.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven by Debian's chromedriver through Selenium. Both paths are
 * given explicitly so Selenium Manager never tries to download a driver or a browser (the network
 * is closed), and chromium gets the flags that keep it off the network and a fresh, empty profile.
 * {@code make test} installs the packages (scripts/test.sh passes them to scripts/prereqs.sh).
 */
public final class HeadlessChromium implements AutoCloseable {

  public static final String CHROMIUM = "/usr/bin/chromium";
  public static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private final Path profile;
  private final ChromeDriver driver;

  private HeadlessChromium(Path profile, ChromeDriver driver) {
    this.profile = profile;
    this.driver = driver;
  }

  /** A new browser with its own empty profile (no cookies), with a window of this size. */
  public static HeadlessChromium start(int width, int height) {
    for (String binary : new String[] {CHROMIUM, CHROMEDRIVER}) {
      if (!Files.isExecutable(Path.of(binary))) {
        throw new IllegalStateException(
            binary
                + " is missing: install Debian's chromium and chromium-driver"
                + " (scripts/prereqs.sh chromium chromium-driver; make test does it)");
      }
    }
    // Belt and braces: with the driver named here, Selenium has nothing to look up.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    try {
      Path profile = Files.createTempDirectory(Path.of("target"), "chromium-profile-");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM);
      options.addArguments(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-dev-shm-usage",
          "--user-data-dir=" + profile.toAbsolutePath(),
          "--window-size=" + width + "," + height);
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(new File(CHROMEDRIVER))
              .usingAnyFreePort()
              .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().window().setSize(new Dimension(width, height));
      return new HeadlessChromium(profile, driver);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Saves what the browser shows now as {@code target/screenshots/<name>.png}. */
  public Path screenshot(String name) {
    try {
      Path file = Path.of("target", "screenshots", name + ".png");
      Files.createDirectories(file.getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      } catch (IOException e) {
        // A profile left in target/ is harmless; the next clean removes it.
      }
    }
  }
}
