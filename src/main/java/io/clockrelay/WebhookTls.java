package io.clockrelay;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

import java.nio.file.Path;

/**
 * HTTPS on the webhook port when CLOCKRELAY_TLS_KEYSTORE names a PKCS12 file (ConfigurationCheck has opened it with
 * its password by then). The management port stays plain HTTP, for probes and Prometheus inside the network.
 */
final class WebhookTls extends MainListenerSupport {

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        var properties = main.getCamelContext().getPropertiesComponent();
        String keystore = properties.resolveProperty("clockrelay.tls.keystore").map(String::trim).orElse("");
        if (keystore.isEmpty()) {
            return;
        }
        main.configure().sslConfig()
                .withEnabled(true)
                .withKeyStore("file:" + Path.of(keystore).toAbsolutePath())
                .withKeyStoreType("PKCS12")
                .withKeystorePassword(properties.resolveProperty("clockrelay.tls.keystore-password").orElse(""));
        main.configure().httpServer().withUseGlobalSslContextParameters(true);
    }
}
