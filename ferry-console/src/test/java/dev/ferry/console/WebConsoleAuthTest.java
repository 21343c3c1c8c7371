package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.it.TestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a broker with a SASL listener and ACLs, the console refuses requests without valid HTTP Basic
 * credentials (401, nothing read), and with them acts as that user: each user sees the topics the
 * broker lets that principal describe, and a change needs the principal's rights.
 */
class WebConsoleAuthTest {

  private static final String PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void signsUsersInAndActsAsTheirPrincipal(@TempDir Path dir) throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0");
    settings.put("sasl.enabled.mechanisms", "PLAIN");
    settings.put(
        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
        PLAIN
            + " required username=\"admin\" password=\"admin-secret\""
            + " user_admin=\"admin-secret\" user_alice=\"alice-secret\" user_bob=\"bob-secret\";");
    settings.put("inter.broker.listener.name", "SASL_PLAINTEXT");
    settings.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    settings.put(
        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    settings.put("super.users", "User:admin");
    settings.put("console.port", "0");
    try (TestBroker broker = TestBroker.start(dir, settings);
        Admin admin = Admin.create(client(broker, "admin"))) {
      admin
          .createTopics(
              List.of(new NewTopic("shared", 2, (short) 1), new NewTopic("secret", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      admin
          .createAcls(
              List.of(
                  new AclBinding(
                      new ResourcePattern(ResourceType.TOPIC, "shared", PatternType.LITERAL),
                      new AccessControlEntry(
                          "User:alice", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW))))
          .all()
          .get(30, TimeUnit.SECONDS);
      String url = broker.broker().extension(WebConsole.class).orElseThrow().url();

      HttpResponse<String> anonymous = get(url + "api/topics", null);
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
          .hasValue("Basic realm=\"Ferry console\"");
      assertThat(JSON.readTree(anonymous.body()).path("message").asText())
          .isEqualTo("Unauthorized: credentials required");
      assertThat(get(url, null).statusCode()).isEqualTo(401);
      assertThat(get(url + "api/topics", "alice:wrong").statusCode()).isEqualTo(401);
      assertThat(get(url + "api/topics", "mallory:alice-secret").statusCode()).isEqualTo(401);

      assertThat(get(url, "alice:alice-secret").statusCode()).isEqualTo(200);
      assertThat(topics(get(url + "api/topics", "alice:alice-secret"))).containsExactly("shared");
      assertThat(topics(get(url + "api/topics", "bob:bob-secret"))).isEmpty();
      assertThat(topics(get(url + "api/topics", "admin:admin-secret")))
          .contains("shared", "secret");
      HttpResponse<String> whoami = get(url + "api/whoami", "alice:alice-secret");
      assertThat(whoami.body()).isEqualTo("{\"user\":\"alice\"}");

      // In a browser: opened with alice's credentials, the pages load and show what she may see.
      if (Browser.available()) {
        try (Browser browser = new Browser(url.replace("http://", "http://alice:alice-secret@"))) {
          browser.open("topics", "topics");
          assertThat(browser.findAll("#view .error")).isEmpty();
          assertThat(browser.find("#topics tbody").getText())
              .contains("shared")
              .doesNotContain("secret");
          assertThat(browser.find("#user").getText()).isEqualTo("signed in as alice");
          assertThat(browser.severeLogEntries()).isEmpty();
        }
      }

      // alice may not create topics: the broker says so, the console passes it on.
      HttpResponse<String> create =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "api/topics"))
                      .header("Authorization", basic("alice:alice-secret"))
                      .header("X-Ferry-Console", "1")
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"name\":\"alices\",\"partitions\":1}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(create.statusCode()).isEqualTo(403);
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("alices");
    }
  }

  private static List<String> topics(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    for (JsonNode t : JSON.readTree(response.body())) {
      if (!t.path("internal").asBoolean()) {
        names.add(t.path("name").asText());
      }
    }
    return names;
  }

  private static HttpResponse<String> get(String url, String userPassword) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (userPassword != null) {
      b.header("Authorization", basic(userPassword));
    }
    return HttpClient.newHttpClient().send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String userPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
  }

  private static Properties client(TestBroker broker, String user) {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.broker().bootstrapServers("SASL_PLAINTEXT"));
    p.put("security.protocol", "SASL_PLAINTEXT");
    p.put("sasl.mechanism", "PLAIN");
    p.put(
        "sasl.jaas.config",
        PLAIN + " required username=\"" + user + "\" password=\"" + user + "-secret\";");
    p.put("request.timeout.ms", "15000");
    p.put("default.api.timeout.ms", "30000");
    return p;
  }
}
