package io.clockrelay.webhook;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.component.vertx.common.VertxHelper;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.support.CamelContextHelper;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The webhook port's server: Camel's own (platform-http on Vert.x, configured by {@code camel.server.*}), with
 * clockrelay's {@link HttpAnswers} put on its router before it accepts its first connection. Camel's server listens
 * before the routes exist; without this, a webhook sent while clockrelay starts would get a 404, which a vendor may
 * take for "endpoint gone". It also listens with a connection handler of clockrelay's ({@link ConnectionDeadlines}),
 * which Camel's server has no setting for. Camel Main finds this factory in the registry (bound before it configures
 * the server).
 */
public class WebhookServerFactory extends DefaultMainHttpServerFactory {

    @Override
    public Service newHttpServer(CamelContext context, HttpServerConfigurationProperties properties) {
        MainHttpServer configured = (MainHttpServer) super.newHttpServer(context, properties);
        WebhookServer server = new WebhookServer();
        server.setCamelContext(context);
        server.setConfiguration(configured.getConfiguration());
        return server;
    }

    /** MainHttpServer, but starting a server whose router gets clockrelay's answers before it listens. */
    private static final class WebhookServer extends MainHttpServer {
        private VertxPlatformHttpServer server;

        @Override
        protected void doInit() throws Exception {
            getConfiguration().setServerType(VertxPlatformHttpRouter.SERVER_TYPE_SERVER);
            server = new AnsweringServer(getConfiguration());
            getCamelContext().addService(server);
        }

        @Override
        protected void doStart() throws Exception {
            ServiceHelper.startService(server);
            super.doStart();
        }
    }

    /** (A named class: Camel names the server's thread pool after it.) */
    private static final class AnsweringServer extends VertxPlatformHttpServer {
        private static final Logger LOG = LoggerFactory.getLogger(AnsweringServer.class);
        private final VertxPlatformHttpServerConfiguration configuration;
        private HttpAnswers answers;
        private Router root;
        private HttpServer server;
        /** Whether Camel made this server's Vert.x (no Vertx bean to share): then this server closes it. */
        private boolean ownVertx;

        AnsweringServer(VertxPlatformHttpServerConfiguration configuration) {
            super(configuration);
            this.configuration = configuration;
        }

        @Override
        protected void initializeServer() {
            super.initializeServer();
            ownVertx = CamelContextHelper.findSingleByType(getCamelContext(), Vertx.class) == null;
            // The router exists and nothing listens yet: the answers are in place for the first request.
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                    VertxPlatformHttpRouter.getRouterNameFromPort(getConfigurationPort()));
            answers = getCamelContext().getRegistry().findSingleByType(HttpAnswers.class);
            if (answers == null) {
                throw new IllegalStateException("no HttpAnswers bean: ClockrelayConfiguration binds it");
            }
            answers.install(router, getVertx());
            // Camel's own root router is private to its server: the same mount, on a root of this server's.
            root = Router.router(getVertx());
            root.route(configuration.getPath() + "*").subRouter(router);
        }

        /** Camel's startServer, plus the connection handler: TLS from the same SSL settings, on the same port and host. */
        @Override
        protected void startServer() throws Exception {
            // No cleartext HTTP/2: Vert.x would wait for a connection's first bytes (to tell HTTP/2 from HTTP/1.1)
            // before handing it to the connection handler, so a connection that sends nothing would never time out.
            // The vendors send HTTP/1.1; HTTP/2 over TLS needs ALPN, which stays off as in Camel's server.
            HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false);
            SSLContextParameters ssl = configuration.getSslContextParameters() != null ? configuration.getSslContextParameters()
                    : configuration.isUseGlobalSslContextParameters() ? getCamelContext().getSSLContextParameters() : null;
            if (ssl != null) {
                VertxHelper.setupSSLOptions(getCamelContext(), ssl, options);
            }
            server = getVertx().createHttpServer(options).connectionHandler(answers::connectionOpened).requestHandler(root);
            // Called on Camel's start thread, never an event loop: waiting here blocks no Vert.x thread.
            server.listen(configuration.getBindPort(), configuration.getBindHost()).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            LOG.info("Vert.x HttpServer started on {}:{}", configuration.getBindHost(), configuration.getBindPort());
        }

        /** Camel's platform-http engine reads the port its consumers' router is named after from this server. */
        @Override
        public HttpServer getServer() {
            return server;
        }

        @Override
        protected void stopServer() {
            if (server == null) {
                return;
            }
            getCamelContext().removeComponent(PlatformHttpConstants.PLATFORM_HTTP_COMPONENT_NAME);
            try {
                server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                LOG.info("Vert.x HttpServer stopped");
            } catch (Exception e) {
                LOG.warn("the webhook port did not close cleanly: {}", e.getMessage());
            } finally {
                server = null;
            }
        }

        /**
         * Camel's stopVertx closes the Vert.x it made on an executor its own startServer creates, which this class's
         * startServer does not: without this, every stop logged a NullPointerException and left Vert.x's threads running.
         */
        @Override
        protected void stopVertx() {
            Vertx vertx = getVertx();
            if (vertx == null || !ownVertx) {
                return;
            }
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("the webhook port's Vert.x did not close cleanly: {}", e.getMessage());
            } finally {
                ownVertx = false;
            }
        }
    }
}
