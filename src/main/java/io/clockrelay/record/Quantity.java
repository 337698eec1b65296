package io.clockrelay.record;

import java.math.BigDecimal;

/** The amount a vendor counts for an absence: {@code {"value": 0.5, "unit": "days"}} or hours. */
public record Quantity(BigDecimal value, Unit unit) {

    public enum Unit {
        days, hours
    }
}
