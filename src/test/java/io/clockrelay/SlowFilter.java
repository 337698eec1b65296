package io.clockrelay;

/** A target filter that takes 10 ms to decide (see routes-slow-filter): the process stage works slowly on each claim. */
public class SlowFilter {

    public boolean wants() throws InterruptedException {
        Thread.sleep(10);
        return false;
    }
}
