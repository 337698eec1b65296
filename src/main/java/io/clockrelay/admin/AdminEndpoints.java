package io.clockrelay.admin;

import io.clockrelay.webhook.Secrets;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import java.util.regex.Pattern;

/**
 * Operator actions on the management port: {@code /admin/<action>}, authenticated with
 * {@code Authorization: Bearer <CLOCKRELAY_ADMIN_TOKEN>}, each answered by the Camel route
 * {@code direct:admin-<action>} (query parameters arrive as headers, the answer's body and
 * CamelHttpResponseCode go back). An action is a YAML route, like everything else an operator may change.
 */
public class AdminEndpoints implements StartupListener {

    private static final Pattern ACTION = Pattern.compile("[a-z0-9-]{1,64}");
    private final Secrets token;

    public AdminEndpoints(String token) {
        this.token = Secrets.parse(token);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        int port = context.getPropertiesComponent().resolveProperty("camel.management.port").map(String::trim).map(Integer::parseInt).orElseThrow();
        Router router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        ProducerTemplate template = context.createProducerTemplate();
        router.route("/admin/:action").handler(BodyHandler.create().setBodyLimit(1024 * 1024))
                .blockingHandler(routing -> handle(context, template, routing));
    }

    private void handle(CamelContext context, ProducerTemplate template, RoutingContext routing) {
        if (token.isEmpty()) {
            answer(routing, 503, error("operator actions are off: set CLOCKRELAY_ADMIN_TOKEN to use them"));
            return;
        }
        String authorization = routing.request().getHeader("Authorization");
        String presented = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        if (!token.matches(presented)) {
            answer(routing, 401, error("send Authorization: Bearer <CLOCKRELAY_ADMIN_TOKEN>"));
            return;
        }
        String action = routing.pathParam("action");
        String uri = "direct://admin-" + action;
        boolean known = ACTION.matcher(action).matches()
                && context.getRoutes().stream().map(Route::getEndpoint).anyMatch(endpoint -> endpoint.getEndpointUri().equals(uri));
        if (!known) {
            answer(routing, 404, error("no operator action named '" + (ACTION.matcher(action).matches() ? action : "?") + "'"));
            return;
        }
        Exchange result = template.request("direct:admin-" + action, exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, routing.request().method().name());
            routing.queryParams().forEach(parameter -> exchange.getMessage().setHeader(parameter.getKey(), parameter.getValue()));
            exchange.getMessage().setBody(routing.body().asString());
        });
        if (result.getException() != null) {
            answer(routing, 500, error(String.valueOf(result.getException().getMessage())));
            return;
        }
        answer(routing, result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class),
                result.getMessage().getBody(String.class));
    }

    private static String error(String message) {
        return "{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }

    private static void answer(RoutingContext routing, int status, String body) {
        routing.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body == null ? "" : body);
    }
}
