package dev.branchyard.build;

import io.fabric8.kubernetes.api.model.HasMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The build step of an environment: for each image its components need, either the registry already
 * has it, or an {@link ImageBuild} is requested on the environment's behalf.
 *
 * <p>The registry is asked first, for all images at once, so an environment whose images all exist
 * gets past this step with a few HEAD requests and creates no objects. An image the registry lacks
 * (or that cannot be asked about: the build's status then says why and retries) gets an {@code
 * ImageBuild}, shared with every other environment that needs the same image.
 */
@ApplicationScoped
public class EnvironmentImages implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(EnvironmentImages.class);

  /** How many registry questions run at once. */
  static final int PARALLELISM = 16;

  /** Where one image stands after {@link #ensure}. */
  public sealed interface ImageState {

    /** The image reference. */
    String image();

    /** The registry has it: nothing to build. */
    record Available(String image, String digest) implements ImageState {}

    /** Building (or queued) in the named {@code ImageBuild}. */
    record Requested(String image, String buildName) implements ImageState {}
  }

  private final ImageRegistry registry;
  private final ImageBuildRequests requests;
  private final ExecutorService pool;

  public EnvironmentImages(ImageRegistry registry, ImageBuildRequests requests) {
    this.registry = registry;
    this.requests = requests;
    AtomicInteger count = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            PARALLELISM,
            runnable -> {
              Thread thread =
                  new Thread(runnable, "branchyard-image-check-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Makes sure every image in {@code builds} exists or is being built for {@code owner}. An entry
   * with {@link ImageBuildSpec#rebuild()} set is requested as a build whatever the registry has.
   *
   * @return one state per entry of {@code builds}, in the same order
   */
  public List<ImageState> ensure(HasMetadata owner, List<ImageBuildSpec> builds) {
    Objects.requireNonNull(owner, "owner");
    List<CompletableFuture<ImageState>> states = new ArrayList<>(builds.size());
    for (ImageBuildSpec spec : builds) {
      states.add(CompletableFuture.supplyAsync(() -> ensure(owner, spec), pool));
    }
    List<ImageState> result = new ArrayList<>(builds.size());
    try {
      for (CompletableFuture<ImageState> state : states) {
        result.add(state.join());
      }
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
    return result;
  }

  private ImageState ensure(HasMetadata owner, ImageBuildSpec spec) {
    if (spec.rebuild() != null) {
      // A rebuild was asked for: build even though the registry has it.
      ImageBuild build = requests.request(owner, spec);
      return new ImageState.Requested(spec.image(), build.getMetadata().getName());
    }
    Optional<String> digest;
    try {
      digest = registry.digestOf(ImageRef.parse(spec.image()));
    } catch (RegistryException e) {
      // The build's status carries the error and the retry; the environment waits on it.
      LOG.debugf("cannot ask the registry about %s: %s", spec.image(), e.getMessage());
      digest = Optional.empty();
    }
    if (digest.isPresent()) {
      return new ImageState.Available(spec.image(), digest.get());
    }
    ImageBuild build = requests.request(owner, spec);
    return new ImageState.Requested(spec.image(), build.getMetadata().getName());
  }

  @PreDestroy
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
