package io.clockrelay;

import io.clockrelay.webhook.WebhookServerFactory;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

import java.nio.file.Path;

/**
 * The webhook port before Camel configures it: clockrelay's server factory (its answers are on the router before
 * the port accepts connections), and HTTPS when CLOCKRELAY_TLS_KEYSTORE names a PKCS12 file (ConfigurationCheck has
 * opened it with its password by then). The management port stays plain HTTP, for probes and Prometheus inside the
 * network.
 */
final class WebhookPort extends MainListenerSupport {

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        main.getCamelContext().getRegistry().bind("webhookServerFactory", new WebhookServerFactory());
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
