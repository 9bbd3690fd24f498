package dev.branchyard.web;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The OpenAPI document's header ({@code /q/openapi}) and the API token security scheme. */
@OpenAPIDefinition(
    info =
        @Info(
            title = "Branchyard API",
            version = "v1",
            description =
                "Ephemeral environments per pull request or branch. Errors are RFC 9457"
                    + " application/problem+json. Reads answer without a token unless"
                    + " branchyard.web.api.anonymous-read=false; changes need a write token."))
@SecurityScheme(
    securitySchemeName = ApiTokenAuthentication.SCHEME,
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    description = "An API token (by_...), minted by an admin with scripts/api-token.sh")
public class ApiDocument extends Application {}
