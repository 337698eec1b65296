package io.clockrelay.record;

/** The kind of an absence, one vocabulary for every vendor (the vendor's own code stays in the attributes). */
public enum AbsenceType {
    vacation, special_leave, special_leave_unpaid, overtime_reduction, sick, sick_unpaid, sick_with_benefit, sick_child,
    sick_child_unpaid, training, maternity_protection, home_office, out_of_office, quarantine, military_service, other;

    /** The type of this name, or null when there is none. */
    public static AbsenceType named(String name) {
        for (AbsenceType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
