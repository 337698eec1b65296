package io.clockrelay;

/** A target filter that takes 5 ms to decide (see routes-slow-filter): the process stage works slowly on each claim. */
public class SlowFilter {

    public boolean wants() throws InterruptedException {
        Thread.sleep(5);
        return false;
    }
}
