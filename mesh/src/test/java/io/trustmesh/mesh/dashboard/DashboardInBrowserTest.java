package io.trustmesh.mesh.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.mesh.fixture.RunningMesh;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard of the quick-start mesh (real sidecars, real traffic of every kind) in a real
 * headless Chromium: the hierarchy, the edges (the denied one included) and the modes are on the
 * page, and a new request through a sidecar shows up as a new count without a reload. A
 * screenshot is left in {@code target/dashboard.png}.
 */
class DashboardInBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration PAGE = Duration.ofSeconds(20);

  @TempDir static Path dir;
  static RunningMesh mesh;
  static Dashboard dashboard;
  static WebDriver browser;

  @BeforeAll
  static void start() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && System.getenv("CI") != null) {
      throw new AssertionError("chromium and chromium-driver are required in CI (.ci/run installs them)");
    }
    mesh = RunningMesh.start(dir);
    mesh.webCallsApi();
    mesh.legacyClientCallsApi();
    mesh.apiCallsPayments();
    mesh.scrapeMetrics();
    mesh.intruderCallsPayments();
    mesh.foreignClientCallsPayments();
    dashboard = Dashboard.start(dir, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Assumptions.assumeTrue(present, "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1400,1900", "--no-first-run", "--disable-extensions");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      if (dashboard != null) {
        dashboard.close();
      }
      if (mesh != null) {
        mesh.close();
      }
    }
  }

  @Test
  void hierarchyEdgesAndModesAreVisibleAndANewRequestAppearsLive() throws Exception {
    browser.get(dashboard.url().toString());

    // the hierarchy: root → cluster intermediate → signing CA → each workload, with its expiry
    await().atMost(PAGE).untilAsserted(() -> assertThat(text("#hierarchy"))
        .contains("signing-ca-1").contains("cluster-1").contains(RunningMesh.PAYMENTS.toString()));
    await().atMost(PAGE).untilAsserted(() -> {
      assertThat(text("#hierarchy li[data-kind='signing_ca'] > .name")).contains("signing-ca-1");
      assertThat(count("#hierarchy li[data-kind='signing_ca'] li[data-kind='workload']")).isEqualTo(4);
      assertThat(text("#hierarchy li[data-kind='root']")).contains("intermediate").contains("expires in");
      assertThat(count("#timeline rect.bar")).isGreaterThanOrEqualTo(7);
    });

    // the edges, with the denied one and its reason, in the table and in the graph
    // (all of it from one poll: the rows awaited alone could come from a poll made before the sidecars
    // had logged the other calls, and the counts below would then be read from that page once)
    await().atMost(PAGE).untilAsserted(() -> {
      assertThat(rows("#edges-table tbody tr"))
          .contains("web api shop legacy " + RunningMesh.WEB + " " + RunningMesh.API + " \u2713 1")
          .contains("intruder payments tools payments " + RunningMesh.INTRUDER + " " + RunningMesh.PAYMENTS
              + " denied (peer_not_allowed) 1")
          .contains("127.0.0.1 api - legacy - " + RunningMesh.API + " plaintext 1");
      assertThat(count("#edges-graph path.edge.denied[data-src='intruder']")).isEqualTo(1);
      assertThat(count("#edges-graph path.edge.mtls")).isEqualTo(2);
      assertThat(count("#edges-graph path.edge.handshake_failure[data-dst='payments']")).isEqualTo(1);
      assertThat(count("#edges-table tr.handshake_failure")).isEqualTo(1);
    });

    // each port's effective mode, from the mesh file
    await().atMost(PAGE).untilAsserted(() -> assertThat(rows("#modes-table tbody tr"))
        .contains("payments payments 9090 metrics DISABLE port " + listening("payments", 9090))
        .contains("payments payments 8443 http STRICT mesh " + listening("payments", 8443))
        .contains("api legacy 8081 http PERMISSIVE namespace " + listening("api", 8081)));

    // live: one more call through web's sidecar, and the count moves without a reload
    mesh.webCallsApi();
    await().atMost(PAGE).untilAsserted(() -> assertThat(rows("#edges-table tbody tr"))
        .contains("web api shop legacy " + RunningMesh.WEB + " " + RunningMesh.API + " \u2713 2"));

    Path shot = Path.of("target", "dashboard.png");
    Files.createDirectories(shot.getParent());
    Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    assertThat(Files.size(shot)).isPositive();
  }

  @Test
  void markupInTheAccessLogsIsShownAsTextNeverRun() throws Exception {
    // whoever can write a log line (or name a caller) chooses these bytes: they must stay text
    String hostile = "<img src=x onerror=document.title='owned'>";
    Files.writeString(dir.resolve("logs/payments.inbound.jsonl"), "{\"time\":\"" + Instant.now()
        + "\",\"listener\":\"payments-9090\",\"direction\":\"inbound\",\"peer_address\":\"" + hostile
        + ":1\",\"tls\":\"plaintext\",\"result\":\"ok\"}\n", StandardOpenOption.APPEND);
    browser.get(dashboard.url().toString());
    await().atMost(PAGE).untilAsserted(() -> assertThat(rows("#edges-table tbody tr"))
        .anySatisfy(r -> assertThat(r).startsWith(hostile + " payments")));
    assertThat(count("#edges-table img, #edges-graph img, #edges-graph foreignObject")).isZero();
    assertThat(browser.getTitle()).isEqualTo("trustmesh dashboard");
  }

  @Test
  void noApiAnswerEverCarriesKeyMaterialThoughTheStateDirectoryHoldsKeys() throws Exception {
    List<Path> keys;
    try (Stream<Path> files = Files.walk(dir)) {
      keys = files.filter(p -> p.getFileName().toString().equals("svid_key.pem")).toList();
    }
    assertThat(keys).isNotEmpty();
    assertThat(Files.readString(keys.get(0))).contains("PRIVATE KEY");
    HttpClient http = HttpClient.newHttpClient();
    for (String path : List.of("/api/hierarchy", "/api/edges", "/api/modes", "/api/services", "/api/nothing",
        "/api/../svids", "/../svids/" + keys.get(0).getParent().getFileName() + "/svid_key.pem",
        "/api/%2e%2e/%2e%2e/svids", "/state.json")) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).as(path).doesNotContain("PRIVATE KEY").doesNotContain("BEGIN");
      assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).contains(Dashboard.CSP);
    }
    HttpResponse<String> hierarchy = http.send(HttpRequest.newBuilder(dashboard.url().resolve("/api/hierarchy")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(hierarchy.statusCode()).isEqualTo(200);
    assertThat(hierarchy.body()).contains("signing-ca-1").contains("\"problems\":[]");
  }

  private static int listening(String service, int meshPort) {
    return mesh.inboundPort(service + "-" + meshPort);
  }

  /** Read in one script run: the page redraws its views while a test reads them. */
  private static String text(String css) {
    return String.valueOf(((JavascriptExecutor) browser).executeScript(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css));
  }

  @SuppressWarnings("unchecked")
  private static List<String> rows(String css) {
    return (List<String>) ((JavascriptExecutor) browser).executeScript(
        "return [...document.querySelectorAll(arguments[0])]"
            + ".map(r => [...r.cells].map(c => c.textContent).join(' '));", css);
  }

  private static int count(String css) {
    return ((Number) ((JavascriptExecutor) browser).executeScript(
        "return document.querySelectorAll(arguments[0]).length;", css)).intValue();
  }
}
