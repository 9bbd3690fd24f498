package dev.branchyard.build;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * How environments ask for images: one {@link ImageBuild} per target image, named after it, owned
 * by every environment that needs it.
 *
 * <p>{@link #request} creates the build or, if another environment asked first, adds the new owner
 * to it (with optimistic locking, so concurrent requests neither lose owners nor create a second
 * build). {@link #release} removes an owner; a build that no owner needs any more is cancelled by
 * the controller. When an owner is deleted, Kubernetes' garbage collector removes it from the
 * build, and deletes the build with its last owner, which stops it too.
 *
 * <p>A request with {@link ImageBuildSpec#rebuild()} set builds the image once more even though the
 * registry has it: the existing build's spec takes the new value, which bumps its generation, and
 * the coordinator builds each generation once.
 *
 * <p>Builds created here carry the label {@value #LIFETIME_LABEL}={@value #LIFETIME_OWNED}; builds
 * created by hand (without it) live until they are deleted.
 */
@ApplicationScoped
public class ImageBuildRequests {

  /** Marks builds that live only as long as an owner needs them. */
  public static final String LIFETIME_LABEL = "branchyard.dev/lifetime";

  public static final String LIFETIME_OWNED = "while-owned";

  /**
   * Conflicts tolerated per call. Every other writer of the build (each environment asking at the
   * same moment, the controller) may win a round, so this must exceed the number of environments
   * that can ask at once; 20 failed with 50 simultaneous requests.
   */
  private static final int MAX_CONFLICT_RETRIES = 200;

  /** Backoff after a conflict: random in [0, min(cap, first * 2^conflicts)] (full jitter). */
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(2);

  private static final Duration MAX_BACKOFF = Duration.ofMillis(100);

  private final KubernetesClient client;

  public ImageBuildRequests(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The name of the {@code ImageBuild} for {@code image}: readable (the image's last path segment
   * and the start of its tag) and unique (a hash of the whole reference), at most 63 characters.
   */
  public static String nameFor(String image) {
    ImageRef ref = ImageRef.parse(image);
    String repository = ref.repository();
    String base = repository.substring(repository.lastIndexOf('/') + 1);
    String readable =
        (base + "-" + ref.tag().substring(0, Math.min(7, ref.tag().length())))
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9-]+", "-")
            .replaceAll("-+", "-")
            .replaceAll("^-|-$", "");
    if (readable.length() > 40) {
      readable = readable.substring(0, 40).replaceAll("-$", "");
    }
    return (readable.isEmpty() ? "image" : readable) + "-" + sha256(image).substring(0, 12);
  }

  /**
   * Whether a build is still needed: builds created by {@link #request} while at least one owner
   * remains, and builds created by hand always.
   */
  public static boolean isNeeded(ImageBuild build) {
    Map<String, String> labels = build.getMetadata().getLabels();
    boolean owned = labels != null && LIFETIME_OWNED.equals(labels.get(LIFETIME_LABEL));
    List<OwnerReference> owners = build.getMetadata().getOwnerReferences();
    return !owned || (owners != null && !owners.isEmpty());
  }

  /**
   * Asks for the image {@code spec} describes on behalf of {@code owner}, which must live in
   * Branchyard's namespace (owner references cannot cross namespaces).
   *
   * @return the build, as the API server has it after the request
   */
  public ImageBuild request(HasMetadata owner, ImageBuildSpec spec) {
    Objects.requireNonNull(owner.getMetadata().getUid(), "the owner must exist (have a uid)");
    String name = nameFor(spec.image());
    OwnerReference reference = ownerReference(owner);
    for (int attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      ImageBuild existing = builds().withName(name).get();
      if (existing == null) {
        ImageBuild created = new ImageBuild(name, spec);
        created.getMetadata().setLabels(Map.of(LIFETIME_LABEL, LIFETIME_OWNED));
        created.getMetadata().setOwnerReferences(List.of(reference));
        try {
          return builds().resource(created).create();
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw e;
          }
          continue; // someone else created it first: attach to theirs
        }
      }
      if (!spec.sameInputs(existing.getSpec())) {
        throw new IllegalStateException(
            "ImageBuild "
                + name
                + " already builds "
                + existing.getSpec().image()
                + " with other inputs; image names must be unique per build inputs");
      }
      List<OwnerReference> owners = owners(existing);
      boolean owned = owners.stream().anyMatch(o -> o.getUid().equals(reference.getUid()));
      // A new rebuild request moves the spec (a new generation: the build runs once more); an
      // ordinary request leaves an earlier rebuild request alone.
      boolean rebuild =
          spec.rebuild() != null && !spec.rebuild().equals(existing.getSpec().rebuild());
      if (owned && !rebuild) {
        return existing;
      }
      if (!owned) {
        owners.add(reference);
      }
      existing.getMetadata().setOwnerReferences(owners);
      if (rebuild) {
        existing.setSpec(spec);
      }
      try {
        return builds().resource(existing).update();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        backOff(attempt);
      }
    }
    throw new IllegalStateException(
        "could not add "
            + owner.getMetadata().getName()
            + " to ImageBuild "
            + name
            + ": it kept changing ("
            + MAX_CONFLICT_RETRIES
            + " conflicts)");
  }

  /**
   * {@code owner} no longer needs the build {@code name}; the last owner's release cancels it.
   * Releasing a build that is gone or not owned by {@code owner} does nothing.
   */
  public void release(HasMetadata owner, String name) {
    String uid = owner.getMetadata().getUid();
    for (int attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      ImageBuild existing = builds().withName(name).get();
      if (existing == null) {
        return;
      }
      List<OwnerReference> owners = owners(existing);
      if (!owners.removeIf(o -> o.getUid().equals(uid))) {
        return;
      }
      existing.getMetadata().setOwnerReferences(owners);
      try {
        builds().resource(existing).update();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return;
        }
        if (e.getCode() != 409) {
          throw e;
        }
        backOff(attempt);
      }
    }
    throw new IllegalStateException("could not release ImageBuild " + name + ": it kept changing");
  }

  /**
   * Waits a little after a lost write, so that writers who all lost to the same winner do not retry
   * in lockstep and collide again.
   */
  private static void backOff(int attempt) {
    long cap = Math.min(MAX_BACKOFF.toNanos(), FIRST_BACKOFF.toNanos() << Math.min(attempt, 20));
    long nanos = ThreadLocalRandom.current().nextLong(cap + 1);
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying a conflicting write", e);
    }
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          ImageBuild,
          io.fabric8.kubernetes.api.model.KubernetesResourceList<ImageBuild>,
          io.fabric8.kubernetes.client.dsl.Resource<ImageBuild>>
      builds() {
    return client.resources(ImageBuild.class).inNamespace(client.getNamespace());
  }

  private static List<OwnerReference> owners(ImageBuild build) {
    List<OwnerReference> owners = build.getMetadata().getOwnerReferences();
    return owners == null ? new ArrayList<>() : new ArrayList<>(owners);
  }

  private static OwnerReference ownerReference(HasMetadata owner) {
    // Not a controller reference: several environments own one build, none of them controls it.
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .build();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
