package dev.branchyard.git;

import dev.branchyard.spec.RemoteRefs;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.jboss.logging.Logger;

/**
 * {@link GitRefs} over JGit: the equivalent of {@code git ls-remote --heads --tags}, which costs
 * one or two HTTP requests and no clone.
 */
@ApplicationScoped
public class JGitRefs implements GitRefs {

  private static final Logger LOG = Logger.getLogger(JGitRefs.class);

  private final JGitTransport transport;

  public JGitRefs(GitConfig config) {
    this.transport = new JGitTransport(config);
  }

  @Override
  public RemoteRefs list(String repo) throws GitAccessException {
    String url = transport.urlOf(repo);
    Collection<Ref> refs;
    try {
      refs =
          transport
              .configure(Git.lsRemoteRepository().setRemote(url).setHeads(true).setTags(true), url)
              .call();
    } catch (GitAPIException | RuntimeException e) {
      throw transport.failure(repo, url, e);
    }
    Map<String, String> branches = new HashMap<>();
    Map<String, String> tags = new HashMap<>();
    for (Ref ref : refs) {
      String name = ref.getName();
      if (name.startsWith(Constants.R_HEADS)) {
        branches.put(name.substring(Constants.R_HEADS.length()), ref.getObjectId().name());
      } else if (name.startsWith(Constants.R_TAGS)) {
        tags.put(name.substring(Constants.R_TAGS.length()), commitOf(ref).name());
      }
    }
    LOG.debugf("%s: %d branches, %d tags", repo, branches.size(), tags.size());
    return new RemoteRefs(repo, branches, tags);
  }

  /** An annotated tag's own object is not a commit; the server advertises what it peels to. */
  private static ObjectId commitOf(Ref tag) {
    ObjectId peeled = tag.getPeeledObjectId();
    return peeled != null ? peeled : tag.getObjectId();
  }
}
