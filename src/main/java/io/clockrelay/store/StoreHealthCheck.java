package io.clockrelay.store;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.Map;

/** Readiness: clockrelay can accept webhooks only while its store database answers. */
public class StoreHealthCheck extends AbstractHealthCheck {

    private final DataSource store;

    public StoreHealthCheck(DataSource store) {
        super("clockrelay", "store-database");
        this.store = store;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection connection = store.getConnection()) {
            if (connection.isValid(2)) {
                builder.up();
            } else {
                builder.message("the store database did not answer").down();
            }
        } catch (Exception e) {
            builder.message("the store database cannot be reached: " + e.getMessage()).error(e).down();
        }
    }
}
