package io.trustmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ServerAddressesTest {
  @Test
  void aListIsWalkedInOrderAndStartsOverAfterTheLast() {
    ServerAddresses s = ServerAddresses.parse("127.0.0.1:8081, 127.0.0.2:8082,[::1]:8083");
    assertThat(s.size()).isEqualTo(3);
    assertThat(s.current()).isEqualTo(new InetSocketAddress("127.0.0.1", 8081));
    assertThat(s.next()).isEqualTo(new InetSocketAddress("127.0.0.2", 8082));
    assertThat(s.next()).isEqualTo(new InetSocketAddress("::1", 8083));
    assertThat(s.next()).isEqualTo(new InetSocketAddress("127.0.0.1", 8081));
  }

  @Test
  void aNameCountsOncePerAddressItResolvesTo() {
    ServerAddresses s = ServerAddresses.parse("localhost:8081");
    assertThat(s.size()).isGreaterThanOrEqualTo(1);
    assertThat(s.current().isUnresolved()).isFalse();
    assertThat(s.current().getPort()).isEqualTo(8081);
  }

  @Test
  void aBadElementIsNamed() {
    assertThatThrownBy(() -> ServerAddresses.parse("127.0.0.1:8081,nonsense"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("invalid server address 'nonsense' (expected HOST:PORT)");
    assertThatThrownBy(() -> ServerAddresses.parse("127.0.0.1:99999"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("'127.0.0.1:99999'");
  }
}
