package dev.ferry.security.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SslPrincipalMapperTest {

  @Test
  void defaultKeepsTheWholeName() {
    assertThat(SslPrincipalMapper.parse("DEFAULT").userName("CN=alice,OU=test,O=ferry"))
        .isEqualTo("CN=alice,OU=test,O=ferry");
    assertThat(SslPrincipalMapper.parse(null).userName("CN=a")).isEqualTo("CN=a");
  }

  @Test
  void firstMatchingRuleWinsWithCaseFlags() {
    SslPrincipalMapper mapper =
        SslPrincipalMapper.parse(
            "RULE:^CN=([a-zA-Z]+),OU=ops,.*$/$1-ops/U, RULE:^CN=([^,]+),.*$/$1/L, DEFAULT");
    assertThat(mapper.userName("CN=Alice,OU=ops,O=x")).isEqualTo("ALICE-OPS");
    assertThat(mapper.userName("CN=Bob,OU=dev,O=x")).isEqualTo("bob");
    assertThat(mapper.userName("O=nocn")).isEqualTo("O=nocn");
  }

  @Test
  void noMatchingRuleIsAnError() {
    SslPrincipalMapper mapper = SslPrincipalMapper.parse("RULE:^CN=(.*)$/$1/");
    assertThatThrownBy(() -> mapper.userName("O=x")).isInstanceOf(IllegalArgumentException.class);
  }
}
