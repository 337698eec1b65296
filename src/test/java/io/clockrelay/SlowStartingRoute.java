package io.clockrelay;

import org.apache.camel.Route;
import org.apache.camel.support.RoutePolicySupport;

/**
 * A route policy that holds a route's start for a few seconds: with it on a route that starts first, clockrelay's
 * webhook port accepts connections for that long before the receive routes exist (the window a start leaves).
 */
public class SlowStartingRoute extends RoutePolicySupport {

    @Override
    public void onStart(Route route) {
        try {
            Thread.sleep(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
