import io.trustmesh.server.datastore.DataStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * Benchmark-only fixture: a datastore that forwards everything to {@code store} except
 * {@code recordIssued}, which it drops. Given to a production {@code Issuer}, it measures issuance
 * without persistence while the production classes keep no switch to turn recording off.
 */
final class NoPersistence {
  private NoPersistence() {}

  static DataStore discardingIssued(DataStore store) {
    return (DataStore) Proxy.newProxyInstance(DataStore.class.getClassLoader(), new Class<?>[] {DataStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("recordIssued")) {
            return null;
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
