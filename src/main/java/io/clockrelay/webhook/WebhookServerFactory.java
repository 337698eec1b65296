package io.clockrelay.webhook;

import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.support.service.ServiceHelper;

/**
 * The webhook port's server: Camel's own (platform-http on Vert.x, configured by {@code camel.server.*}), with
 * clockrelay's {@link HttpAnswers} put on its router before it accepts its first connection. Camel's server listens
 * before the routes exist; without this, a webhook sent while clockrelay starts would get a 404, which a vendor may
 * take for "endpoint gone". Camel Main finds this factory in the registry (bound before it configures the server).
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

        AnsweringServer(VertxPlatformHttpServerConfiguration configuration) {
            super(configuration);
        }

        @Override
        protected void initializeServer() {
            super.initializeServer();
            // The router exists and nothing listens yet: the answers are in place for the first request.
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                    VertxPlatformHttpRouter.getRouterNameFromPort(getConfigurationPort()));
            HttpAnswers answers = getCamelContext().getRegistry().findSingleByType(HttpAnswers.class);
            if (answers == null) {
                throw new IllegalStateException("no HttpAnswers bean: ClockrelayConfiguration binds it");
            }
            answers.install(router);
        }
    }
}
