package dev.branchyard.build;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Follows one container's log ({@code GET .../log?follow=true}) on a thread of its own and hands it
 * to a {@link BuildLog} line by line, until the container ends or the stream is closed. One stream
 * per pod: a Job whose pod is replaced gets a new one.
 */
final class PodLogStream implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PodLogStream.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String container;
  private final BuildLog sink;

  private String pod;
  private Thread reader;
  private LogWatch watch;
  private boolean closed;

  /**
   * @param sink gets every line; called from the stream's thread
   */
  PodLogStream(KubernetesClient client, String namespace, String container, BuildLog sink) {
    this.client = client;
    this.namespace = namespace;
    this.container = container;
    this.sink = sink;
  }

  /**
   * Starts following {@code podName}'s container, unless it is already followed. Call it once the
   * container runs or has ended: earlier, the API server refuses the log.
   */
  synchronized void follow(String podName) {
    if (closed || podName.equals(pod)) {
      return;
    }
    stop();
    pod = podName;
    reader = new Thread(() -> pump(podName), "build-log-" + podName);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Waits up to {@code patience} for the stream to reach its end: once the container has ended, its
   * last lines may still be on their way.
   */
  void awaitEnd(Duration patience) throws InterruptedException {
    Thread current;
    synchronized (this) {
      current = reader;
    }
    if (current != null) {
      current.join(Math.max(1, patience.toMillis()));
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    stop();
  }

  private void stop() {
    if (watch != null) {
      watch.close();
      watch = null;
    }
    if (reader != null) {
      reader.interrupt();
      reader = null;
    }
  }

  private void pump(String podName) {
    LogWatch opened;
    try {
      opened =
          client.pods().inNamespace(namespace).withName(podName).inContainer(container).watchLog();
    } catch (KubernetesClientException e) {
      unavailable(podName, e);
      return;
    }
    synchronized (this) {
      if (closed || !podName.equals(pod)) {
        opened.close();
        return;
      }
      watch = opened;
    }
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(opened.getOutput(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        sink.line(line);
      }
    } catch (IOException | KubernetesClientException e) {
      synchronized (this) {
        if (closed || !podName.equals(pod)) {
          return; // Closed under us: nothing more to read.
        }
      }
      unavailable(podName, e);
    }
  }

  private void unavailable(String podName, Exception e) {
    // The build goes on without its log; its result does not depend on it.
    LOG.debugf(e, "log of %s/%s in %s unavailable", podName, container, namespace);
    sink.line(
        "branchyard: the log of pod "
            + podName
            + " is unavailable ("
            + e.getMessage()
            + "); see kubectl logs -n "
            + namespace
            + " "
            + podName
            + " -c "
            + container);
  }
}
