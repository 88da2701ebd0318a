package dev.snapshotter.offsite;

import java.util.concurrent.CompletableFuture;

import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * SigV4 for our writes, which all carry the body's SHA-256 in {@code x-amz-checksum-sha256}: the signature covers that
 * header, and S3 refuses a body that does not match it ({@code BadDigest}), so the body is bound to the signature
 * without being hashed a second time for {@code x-amz-content-sha256}. The SDK signer hashes every body it signs over
 * plain http; here a body that carries its checksum is signed as {@code UNSIGNED-PAYLOAD} over http as it is over
 * https, and one SHA-256 of each part serves both S3's check and the signature. Any other request is signed as the SDK
 * would.
 */
final class ChecksumHeaderSigner implements HttpSigner<AwsCredentialsIdentity> {

    static final String CHECKSUM_HEADER = "x-amz-checksum-sha256";

    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /** The SigV4 scheme of the S3 client with this signer. */
    static AuthScheme<AwsCredentialsIdentity> scheme() {
        ChecksumHeaderSigner signer = new ChecksumHeaderSigner();
        return new AuthScheme<>() {
            @Override
            public String schemeId() {
                return AwsV4AuthScheme.SCHEME_ID;
            }

            @Override
            public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
                return providers.identityProvider(AwsCredentialsIdentity.class);
            }

            @Override
            public HttpSigner<AwsCredentialsIdentity> signer() {
                return signer;
            }
        };
    }

    @Override
    public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
        if (request.payload().isEmpty() || request.request().firstMatchingHeader(CHECKSUM_HEADER).isEmpty()) {
            return signer.sign(request);
        }
        SignedRequest headers = signer.sign(request.copy(b -> b.payload(null)
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, false)));
        return SignedRequest.builder().request(headers.request()).payload(request.payload().get()).build();
    }

    @Override
    public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
        return signer.signAsync(request);
    }
}
