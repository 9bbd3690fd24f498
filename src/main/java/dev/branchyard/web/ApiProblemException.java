package dev.branchyard.web;

/** Ends an API call with this problem: for the few refusals no domain exception describes. */
public class ApiProblemException extends RuntimeException {

  private final transient Problem problem;

  public ApiProblemException(Problem problem) {
    super(problem.detail());
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
