import io.vertx.core.Vertx;

/** The limit: a bare Vert.x HTTP server that answers every request 200, run with the same JVM and flags as clockrelay. */
public class BareVertx {
    public static void main(String[] args) {
        int port = Integer.parseInt(args.length > 0 ? args[0] : "8081");
        Vertx.vertx().createHttpServer()
                .requestHandler(request -> request.body().onComplete(body -> request.response()
                        .putHeader("Content-Type", "application/json").end("{\"status\":\"accepted\"}")))
                .listen(port);
        System.out.println("bare Vert.x listening on " + port);
    }
}
