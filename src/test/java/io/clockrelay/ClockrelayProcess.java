package io.clockrelay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** clockrelay as a process of its own (the test's classpath, io.clockrelay.Main), configured by environment variables. */
final class ClockrelayProcess {

    private ClockrelayProcess() {
    }

    /** Starts it and waits until its management port reports ready; its output goes to {@code <folder>/<name>.log}. */
    static Process launch(Path folder, String name, Map<String, String> environment, int managementPort, String... jvmOptions) throws IOException {
        Process process = start(folder, name, environment, managementPort, jvmOptions);
        WebhookClient management = new WebhookClient(managementPort);
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            try {
                if (management.get("/observe/health").statusCode() == 200) {
                    return process;
                }
            } catch (RuntimeException notListeningYet) {
                // keep polling until the deadline
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        process.destroyForcibly();
        throw new AssertionError("clockrelay (" + name + ") did not become ready:\n" + Files.readString(folder.resolve(name + ".log")));
    }

    /** Starts it without waiting; its output goes to {@code <folder>/<name>.log}. */
    static Process start(Path folder, String name, Map<String, String> environment, int managementPort, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(folder.resolve(name + ".log").toFile());
        builder.environment().putAll(environment);
        builder.environment().put("CLOCKRELAY_MANAGEMENT_PORT", String.valueOf(managementPort));
        return builder.start();
    }
}
