package io.clockrelay;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.InflightRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * SIGTERM without losing anything. Camel Main calls {@link #beforeStop} first, before any route stops: from then on
 * new webhooks are answered 503 with a JSON message ({@code HttpAnswers}) (the vendor retries, perhaps at another instance), and the
 * process and deliver stages claim nothing new and start no further delivery. It waits (at most
 * camel.main.shutdown-timeout) until the stages have finished what they are doing; then Camel stops the routes,
 * waiting for the requests still in flight. What is still claimed afterwards is released for the next start
 * ({@code ClockrelayConfiguration}'s store closer).
 */
public final class GracefulShutdown extends MainListenerSupport {

    public static final String NAME = "gracefulShutdown";
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
    private static final List<String> STAGES = List.of("process-inbox", "enrich", "deliver");

    private volatile boolean stopping;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        main.getCamelContext().getRegistry().bind(NAME, this);
    }

    @Override
    public void beforeStop(BaseMainSupport main) {
        stopping = true;
        LOG.info("shutting down: new webhooks are answered 503; finishing the requests and deliveries in flight");
        CamelContext context = main.getCamelContext();
        InflightRepository inflight = context.getInflightRepository();
        // One budget for the drain and Camel's own stop: Camel's SIGTERM hook waits only shutdown-timeout plus
        // extra-shutdown-timeout in all before the JVM halts.
        long budget = main.configure().getShutdownTimeout();
        Instant began = Instant.now();
        Instant deadline = began.plusSeconds(budget);
        while (busy(inflight) && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (busy(inflight)) {
            LOG.warn("shutting down with work still in flight: its claims are left to expire, not released");
        }
        long left = budget - Duration.between(began, Instant.now()).toSeconds();
        context.getShutdownStrategy().setTimeout(Math.max(5, left));
    }

    /** True when no claim loop of the process or deliver stage is at work (its claims can be released safely). */
    public static boolean stagesIdle(CamelContext context) {
        return !busy(context.getInflightRepository());
    }

    /** The stages' claim loops (each runs as one exchange of its route) are still working. */
    private static boolean busy(InflightRepository inflight) {
        return STAGES.stream().anyMatch(route -> inflight.size(route) > 0);
    }

    public boolean stopping() {
        return stopping;
    }
}
