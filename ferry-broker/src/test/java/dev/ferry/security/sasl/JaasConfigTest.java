package dev.ferry.security.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class JaasConfigTest {

  @Test
  void parsesKafkasPlainUserList() {
    JaasConfig jaas =
        JaasConfig.parse(
            "org.apache.kafka.common.security.plain.PlainLoginModule required\n"
                + "  username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\""
                + " user_alice=\"al\\\"ice\";");
    assertThat(jaas.loginModule()).endsWith("PlainLoginModule");
    assertThat(jaas.flag()).isEqualTo("required");
    assertThat(jaas.options())
        .containsEntry("username", "admin")
        .containsEntry("user_alice", "al\"ice")
        .hasSize(4);
    assertThat(jaas.toString()).doesNotContain("secret");
  }

  @Test
  void plainServerChecksTheUserList() {
    JaasConfig jaas = JaasConfig.parse("x.PlainLoginModule required user_alice=\"alice-secret\";");
    PlainServer ok = new PlainServer(jaas.options());
    ok.evaluate("\0alice\0alice-secret".getBytes(StandardCharsets.UTF_8));
    assertThat(ok.isComplete()).isTrue();
    assertThat(ok.userName()).isEqualTo("alice");
    for (String bad :
        new String[] {"\0alice\0wrong", "\0bob\0alice-secret", "bob\0alice\0alice-secret", "x"}) {
      PlainServer server = new PlainServer(jaas.options());
      Executable call = () -> server.evaluate(bad.getBytes(StandardCharsets.UTF_8));
      org.junit.jupiter.api.Assertions.assertThrows(SaslAuthenticationException.class, call);
      assertThat(server.isComplete()).isFalse();
    }
  }
}
