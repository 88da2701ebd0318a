package dev.snapshotter.restore;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotArchiveBuilder;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/**
 * {@code POST /api/snapshots/{file}/restore} against the stand-in: a snapshot taken by the service comes back into
 * Qdrant under another name with its count checked, and every refusal and failure the issue names says why.
 */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class RestoreTest {

    static final String TARGET = "kairos_restored";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    /** A snapshot taken through the service (so with its manifest and recorded count); its file name. */
    private Path takeSnapshot() {
        qdrant.snapshotServed("kairos", TestData.snapshot(50_000));
        return Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
    }

    private static String uploadName(Path file) {
        return SnapshotDir.uploadName(file);
    }

    private static ValidatableResponse restore(Path file, String body) {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body(body).post("/api/snapshots/" + file.getFileName() + "/restore").then();
    }

    @Test
    void restoresASnapshotUnderAnotherNameAndChecksItsCount() throws Exception {
        Path file = takeSnapshot();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(file));
        double before = Scrape.value("snapshotter_restores_total{result=\"completed\"}");

        restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(200)
                .body("status", equalTo("completed"))
                .body("file", equalTo(file.getFileName().toString()))
                .body("collection", equalTo(TARGET))
                .body("snapshotOf", equalTo("kairos"))
                .body("snapshotVersion", equalTo("1.19.0"))
                .body("pointsExpected", equalTo((int) QdrantStandIn.POINTS))
                .body("pointsFound", equalTo((int) QdrantStandIn.POINTS))
                .body("uploadedCopyDeleted", equalTo(true));

        List<LoggedRequest> uploads = qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload");
        assertThat(uploads).hasSize(1);
        LoggedRequest upload = uploads.get(0);
        assertThat(upload.queryParameter("priority").firstValue()).isEqualTo("snapshot");
        assertThat(upload.queryParameter("checksum").firstValue()).isEqualTo(TestData.sha256(Files.readAllBytes(file)));
        assertThat(upload.getParts()).singleElement().satisfies(part -> {
            assertThat(part.getName()).isEqualTo("snapshot");
            assertThat(part.getBody().asBytes()).isEqualTo(Files.readAllBytes(file));
        });
        assertThat(qdrant.requests("DELETE", "/collections/" + TARGET + "/snapshots/" + uploadName(file)))
                .hasSize(1);
        assertThat(Scrape.value("snapshotter_restores_total{result=\"completed\"}")).isEqualTo(before + 1);
    }

    private static ValidatableResponse restoreNewest(String body) {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body(body).post("/api/restore").then();
    }

    @Test
    void restoresTheNewestSnapshotTakenBeforeATime() throws Exception {
        Instant now = Instant.now();
        Path older = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofHours(3)));
        Path newer = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofHours(1)));
        byte[] olderBytes = Files.readAllBytes(older);
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(older));
        qdrant.aliasesUpdated();

        // without a time, the newest: a dry run says which a restore would take
        restoreNewest("{\"collection\":\"" + TARGET + "\",\"dryRun\":true}").statusCode(200)
                .body("status", equalTo("checked"))
                .body("file", equalTo(newer.getFileName().toString()));

        // an offset other than Z reads as the same instant: two hours ago
        String twoHoursAgo = now.minus(Duration.ofHours(2)).atOffset(ZoneOffset.ofHours(5)).toString();
        restoreNewest("{\"before\":\"" + twoHoursAgo + "\",\"collection\":\"" + TARGET + "\"}").statusCode(200)
                .body("status", equalTo("completed"))
                .body("file", equalTo(older.getFileName().toString()))
                .body("collection", equalTo(TARGET));
        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).singleElement()
                .satisfies(upload -> assertThat(upload.getParts()).singleElement()
                        .satisfies(part -> assertThat(part.getBody().asBytes()).isEqualTo(olderBytes)));
    }

    /**
     * {@code before} as how long ago, as the command line's {@code --before 2h} takes it: one way to read it. Before,
     * the API refused it (400).
     */
    @Test
    void restoresTheNewestSnapshotTakenBeforeHowLongAgo() {
        Instant now = Instant.now();
        Path older = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofHours(3)));
        dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofHours(1)));
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(older));
        qdrant.aliasesUpdated();

        restoreNewest("{\"before\":\"2h\",\"collection\":\"" + TARGET + "\"}").statusCode(200)
                .body("status", equalTo("completed"))
                .body("file", equalTo(older.getFileName().toString()));
    }

    /**
     * The newest backup rotted on disk (a byte changed), with no copy off-site: a restore of the newest restores the
     * newest sound one instead, saying which it passed over and why, and the rotted one is marked. Before, it was
     * refused (422), and only a second request (or, for the boot's restore, a restart) took the sound one.
     */
    @Test
    void aRestoreOfTheNewestPassesOverANewestThatRottedToTheNewestSoundOne() throws Exception {
        Instant now = Instant.now();
        Path older = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofHours(3)));
        Path newer = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofHours(1)));
        SnapshotDir.rot(newer);
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(older));
        qdrant.aliasesUpdated();

        restoreNewest("{\"collection\":\"" + TARGET + "\"}").statusCode(200)
                .body("status", equalTo("completed"))
                .body("file", equalTo(older.getFileName().toString()))
                .body("message", containsString("the newest backup, " + newer.getFileName() + " (it hashes to "))
                .body("message", containsString(", fails verification, with no sound copy off-site: "
                        + older.getFileName() + ", the newest sound one, was restored instead; what was written after "
                        + "it is not in it"));
        assertThat(newer.resolveSibling(newer.getFileName() + ".verify-failed")).exists();
        // a named file that rotted is refused, as before
        restore(newer, "{\"collection\":\"" + TARGET + "\",\"overwrite\":true}").statusCode(422)
                .body("detail", startsWith(newer.getFileName() + " fails verification, so it is not restored"));
    }

    @Test
    void noSnapshotBeforeTheTimeIsNotFoundAndNothingIsSent() {
        Path only = dir.plantRestorable(QdrantStandIn.POINTS, Instant.parse("2026-01-02T00:00:00Z"));

        restoreNewest("{\"before\":\"2026-01-02T00:00:00Z\",\"collection\":\"" + TARGET + "\"}")
                .statusCode(404)
                .body("detail", equalTo("No verified snapshot of `kairos` (QDRANT_COLLECTION) taken before "
                        + "2026-01-02T00:00:00Z is in " + dir.directory()));
        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).isEmpty();
        assertThat(only).exists();
    }

    @Test
    void aBeforeThatIsNoTimeIsABadRequestAndStartsNoRun() {
        dir.plantRestorable(QdrantStandIn.POINTS);

        restoreNewest("{\"before\":\"yesterday\"}").statusCode(400)
                .body("detail", equalTo("`before` must be a time with its UTC offset, like 2026-11-24T14:05:00Z or "
                        + "2026-11-24T15:05:00+01:00, or how long ago, like 90m, 3h or 2d, but it is \"yesterday\""));
        restoreNewest("{\"before\":\"3w\"}").statusCode(400);
        restoreNewest("{\"before\":\"2026-11-24T14:05:00\"}").statusCode(400); // no offset: whose 14:05?
        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).header("Prefer", "respond-async")
                .contentType("application/json").body("{\"before\":\"2026-13-01T00:00:00Z\"}").post("/api/restore")
                .then().statusCode(400);
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
    }

    @Test
    void aRestoreOfANamedFileTakesNoBefore() {
        Path file = dir.plantRestorable(QdrantStandIn.POINTS);

        restore(file, "{\"before\":\"2026-11-24T14:05:00Z\",\"collection\":\"" + TARGET + "\"}").statusCode(400)
                .body("detail", equalTo("`before` picks the snapshot to restore, and this request names it: use "
                        + "POST /api/restore to restore the newest snapshot taken before a time"));
        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).isEmpty();
    }

    @Test
    void refusesAnExistingCollectionUnlessAskedToOverwrite() {
        Path file = takeSnapshot();

        restore(file, "{}").statusCode(409)
                .body("detail", equalTo("Collection `kairos` exists on Qdrant at " + qdrant.url()
                        + "; restore into another name, or ask to overwrite it"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
    }

    @Test
    void overwritingACollectionWhoseVectorsDifferIsRefused() {
        Path file = takeSnapshot(); // kairos has 384-dimension vectors, the snapshot 4

        restore(file, "{\"overwrite\":true}").statusCode(409)
                .body("detail", startsWith("Collection `kairos` has vectors {\"size\":384,\"distance\":\"Cosine\"} but "
                        + "the snapshot has {\"size\":4,\"distance\":\"Cosine\"}"));
    }

    @Test
    void overwritingACollectionWithAnotherShardNumberIsRefused() {
        Path file = takeSnapshot(); // a snapshot of one shard
        qdrant.collectionInfoIs("kairos", QdrantStandIn.collectionInfo(SnapshotArchiveBuilder.VECTORS)
                .replace("\"shard_number\":1", "\"shard_number\":3"));

        restore(file, "{\"overwrite\":true}").statusCode(409)
                .body("detail", equalTo("Collection `kairos` has 3 shards but the snapshot has 1; Qdrant cannot restore "
                        + "it over that collection"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
    }

    @Test
    void refusesToRestoreIntoAnAliasName() {
        Path file = takeSnapshot();
        qdrant.alias("kairos_live", "kairos");

        restore(file, "{\"collection\":\"kairos_live\",\"overwrite\":true}").statusCode(409)
                .body("detail", equalTo("`kairos_live` is an alias of collection `kairos` on Qdrant; restore into a "
                        + "collection name"));
        assertThat(qdrant.requests("POST", "/collections/kairos_live/snapshots/upload")).isEmpty();
    }

    /**
     * Overwriting the collection QDRANT_COLLECTION names snapshots it first, through a run's whole pipeline (verified,
     * listed, its manifest saying why), before anything is uploaded: a wrong snapshot chosen loses no write.
     */
    @Test
    void overwritingTheConfiguredCollectionSnapshotsItFirst() throws Exception {
        Path file = takeSnapshot();
        Thread.sleep(1_100); // Qdrant names two snapshots of one second alike
        qdrant.snapshotServed("kairos", TestData.snapshot(60_000));
        qdrant.restoresUploadsOver("kairos", 1);
        double before = Scrape.value("snapshotter_runs_total{reason=\"pre_restore\",status=\"completed\",target=\"qdrant\"}");

        String safety = restore(file, "{\"overwrite\":true}").statusCode(200)
                .body("status", equalTo("completed"))
                .body("collection", equalTo("kairos"))
                .body("pointsFound", equalTo((int) QdrantStandIn.POINTS))
                .extract().path("safetySnapshot");

        assertThat(safety).isNotEqualTo(file.getFileName().toString()).endsWith("-kairos.snap");
        Path taken = dir.directory().resolve(safety);
        assertThat(dir.list()).containsAll(SnapshotDir.completed(taken)).containsAll(SnapshotDir.completed(file));
        assertThat(JsonPath.from(Path.of(taken + ".json").toFile()).getString("reason")).isEqualTo("pre_restore");
        List<String> posts = qdrant.requests("POST", "/collections/kairos/snapshots").stream()
                .map(LoggedRequest::getUrl).toList(); // newest first
        assertThat(posts.get(0)).startsWith("/collections/kairos/snapshots/upload");
        assertThat(posts.get(1)).isEqualTo("/collections/kairos/snapshots?wait=true");
        assertThat(Scrape.value("snapshotter_runs_total{reason=\"pre_restore\",status=\"completed\",target=\"qdrant\"}"))
                .isEqualTo(before + 1);
        ServiceApi.api().get("/api/snapshots").then().statusCode(200).body("file", hasItem(safety));
    }

    /** A snapshot before the overwrite that fails refuses the restore with its status: nothing is uploaded. */
    @Test
    void aFailedSnapshotBeforeTheOverwriteRefusesItAndUploadsNothing() throws Exception {
        Path file = takeSnapshot();
        List<Path> files = dir.list();
        qdrant.restoresUploadsOver("kairos", 1);
        qdrant.createFails("kairos", 500, "Service internal error: No space left on device");
        double refused = Scrape.value("snapshotter_restores_total{result=\"refused\"}");

        restore(file, "{\"overwrite\":true}").statusCode(502)
                .contentType(containsString("application/problem+json"))
                .body("detail", startsWith("The restore was not started: the snapshot of `kairos` taken before "
                        + "overwriting it failed: "))
                .body("detail", containsString("No space left on device"))
                .body("detail", containsString("`kairos` is untouched; ask again with safetySnapshot false "
                        + "(--no-safety-snapshot) to overwrite it without one"));

        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
        assertThat(dir.list()).isEqualTo(files);
        assertThat(Scrape.value("snapshotter_restores_total{result=\"refused\"}")).isEqualTo(refused + 1);
    }

    /**
     * A restore refused after its safety snapshot (the file turns out corrupt during the upload) is a failed run, not
     * the safety snapshot's completed one; its message names the snapshot kept.
     */
    @Test
    void aRestoreRefusedAfterItsSafetySnapshotIsAFailedRunThatNamesIt() throws Exception {
        Path file = takeSnapshot();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        Thread.sleep(1_100); // Qdrant names two snapshots of one second alike
        qdrant.snapshotServed("kairos", TestData.snapshot(60_000));
        qdrant.restoresUploadsOver("kairos", 1);

        restore(file, "{\"overwrite\":true}").statusCode(422)
                .body("detail", startsWith(file.getFileName() + " fails verification, so it is not restored"));

        JsonPath run = ServiceApi.api().get("/api/runs").then().statusCode(200).extract().jsonPath();
        assertThat(run.getString("[0].reason")).isEqualTo("restore");
        assertThat(run.getString("[0].status")).isEqualTo("failed");
        assertThat(run.getString("[0].message")).startsWith("Restore refused: " + file.getFileName()
                + " fails verification").containsPattern("\\(the snapshot taken first, [0-9T-]+Z-kairos\\.snap, "
                        + "is kept\\)$");
    }

    /** {@code safetySnapshot: false} overwrites without a snapshot first, and the report says so. */
    @Test
    void safetySnapshotFalseOverwritesWithoutOneAndSaysSo() {
        Path file = takeSnapshot();
        int creates = qdrant.creates().size();
        qdrant.restoresUploadsOver("kairos", 1);

        restore(file, "{\"overwrite\":true,\"safetySnapshot\":false}").statusCode(200)
                .body("status", equalTo("completed"))
                .body("safetySnapshot", nullValue())
                .body("remarks", hasItem("No snapshot of `kairos` was taken before it was "
                        + "overwritten (safetySnapshot: false)"));

        assertThat(qdrant.creates()).hasSize(creates);
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
    }

    /** A collection this service does not back up is overwritten as asked, with a remark that no snapshot was taken. */
    @Test
    void overwritingAnotherCollectionSaysNoSnapshotWasTakenOfIt() {
        Path file = takeSnapshot();
        int creates = qdrant.creates().size();
        qdrant.restoresUploadsOver(TARGET, 1);

        restore(file, "{\"collection\":\"" + TARGET + "\",\"overwrite\":true}").statusCode(200)
                .body("status", equalTo("completed"))
                .body("remarks", hasItem("No snapshot of `" + TARGET + "` was taken before it "
                        + "was overwritten: this service backs up `kairos` (QDRANT_COLLECTION) only"));

        assertThat(qdrant.creates()).hasSize(creates);
    }

    /**
     * A dry run runs every check that comes before the upload and says what a restore would do; it uploads nothing,
     * counts no restore, and its run says {@code checked}.
     */
    @Test
    void aDryRunChecksWhatARestoreWouldAndUploadsNothing() {
        Path file = takeSnapshot();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(file));
        double completed = Scrape.value("snapshotter_restores_total{result=\"completed\"}");
        double refused = Scrape.value("snapshotter_restores_total{result=\"refused\"}");

        restore(file, "{\"collection\":\"" + TARGET + "\",\"dryRun\":true}").statusCode(200)
                .body("status", equalTo("checked"))
                .body("collection", equalTo(TARGET))
                .body("overwritten", equalTo(false))
                .body("snapshotVersion", equalTo("1.19.0"))
                .body("qdrantVersion", equalTo("1.19.0"))
                .body("pointsExpected", equalTo((int) QdrantStandIn.POINTS))
                .body("verifyMs", notNullValue())
                .body("pointsFound", nullValue())
                .body("uploadMs", nullValue())
                .body("message", equalTo("Dry run: every check before the upload passed and nothing was uploaded; a "
                        + "restore would create collection `" + TARGET + "` from " + file.getFileName()));

        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).isEmpty();
        JsonPath run = ServiceApi.api().get("/api/runs").then().statusCode(200).extract().jsonPath();
        assertThat(run.getString("[0].reason")).isEqualTo("restore");
        assertThat(run.getString("[0].status")).isEqualTo("checked");
        assertThat(Scrape.value("snapshotter_restores_total{result=\"completed\"}")).isEqualTo(completed);

        // a refusal is the restore's refusal, with nothing sent either
        restore(file, "{\"dryRun\":true}").statusCode(409)
                .body("detail", equalTo("Collection `kairos` exists on Qdrant at " + qdrant.url()
                        + "; restore into another name, or ask to overwrite it"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
        assertThat(Scrape.value("snapshotter_restores_total{result=\"refused\"}")).isEqualTo(refused);
    }

    /** A dry run of an overwrite says a snapshot would be taken first, and takes none. */
    @Test
    void aDryRunOfAnOverwriteTakesNoSnapshotAndSaysOneWouldBe() {
        Path file = takeSnapshot();
        qdrant.restoresUploadsOver("kairos", 1);
        int creates = qdrant.creates().size();
        List<Path> files = dir.list();

        restore(file, "{\"overwrite\":true,\"dryRun\":true}").statusCode(200)
                .body("status", equalTo("checked"))
                .body("overwritten", equalTo(true))
                .body("safetySnapshot", nullValue())
                .body("message", startsWith("Dry run: every check before the upload passed and nothing was "
                        + "uploaded; a restore would overwrite collection `kairos` from " + file.getFileName()))
                .body("remarks", hasItem("A restore would snapshot `kairos` first (safetySnapshot), and be refused "
                        + "if that snapshot failed"));

        assertThat(qdrant.creates()).hasSize(creates);
        assertThat(dir.list()).isEqualTo(files);
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
    }

    /**
     * A restore re-reads a file whose manifest recorded its archive facts while it uploads it; a dry run, which
     * uploads nothing, re-reads it whole before it answers: a corrupt file is refused, not reported as restorable.
     */
    @Test
    void aDryRunReReadsTheFileAndRefusesACorruptOne() throws Exception {
        Path file = takeSnapshot();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(file));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file, bytes);

        restore(file, "{\"collection\":\"" + TARGET + "\",\"dryRun\":true}").statusCode(422)
                .body("detail", startsWith(file.getFileName() + " fails verification, so it is not restored: it hashes "
                        + "to "));
        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).isEmpty();
        JsonPath run = ServiceApi.api().get("/api/runs").then().statusCode(200).extract().jsonPath();
        assertThat(run.getString("[0].status")).isEqualTo("failed");
        assertThat(run.getString("[0].message")).startsWith("Restore dry run refused: " + file.getFileName());
    }

    /**
     * Names Qdrant's upload refuses (422, once the upload has begun): a character it forbids, or more than 255
     * characters. Refused before anything is sent, in a sentence naming the character, and counted as refused.
     */
    @Test
    void refusesATargetNameQdrantWouldRefuseBeforeAnythingIsSent() {
        Path file = takeSnapshot();
        int before = qdrant.server().getAllServeEvents().size();
        double refused = Scrape.value("snapshotter_restores_total{result=\"refused\"}");

        restore(file, "{\"collection\":\"kairos/restored\"}").statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("detail", startsWith("Qdrant does not take `kairos/restored` as a collection name: it holds `/`; a "
                        + "collection name has 1 to 255 characters, none of < > : \" / \\ | ? *, NUL or U+001F"));
        restore(file, "{\"collection\":\"kairos:restored\"}").statusCode(400)
                .body("detail", containsString("it holds `:`"));
        restore(file, "{\"collection\":\"" + "k".repeat(256) + "\"}").statusCode(400)
                .body("detail", startsWith("Qdrant does not take a collection name of 256 characters"));

        assertThat(qdrant.server().getAllServeEvents()).hasSize(before);
        assertThat(Scrape.value("snapshotter_restores_total{result=\"refused\"}")).isEqualTo(refused + 3);
    }

    @Test
    void aCollectionThatIsRedAfterTheRestoreFailsIt() {
        Path file = takeSnapshot();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(file));
        qdrant.collectionInfoIs(TARGET, QdrantStandIn.collectionInfo(SnapshotArchiveBuilder.VECTORS)
                .replace("\"status\":\"green\"", "\"status\":\"red\""));
        double failed = Scrape.value("snapshotter_restores_total{result=\"failed\"}");

        restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(502)
                .body("status", equalTo("failed"))
                .body("message", equalTo("Collection `" + TARGET + "` is red after the restore (green or yellow "
                        + "expected)"))
                .body("uploadedCopyDeleted", equalTo(true));
        assertThat(Scrape.value("snapshotter_restores_total{result=\"failed\"}")).isEqualTo(failed + 1);
    }

    @Test
    void refusesAQdrantTwoMinorVersionsAhead() {
        Path file = takeSnapshot();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(file));
        qdrant.version("1.21.0");

        restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(409)
                .body("detail", equalTo(file.getFileName() + " was written by Qdrant 1.19.0; it restores only into "
                        + "1.19.x or 1.20.x, and Qdrant runs 1.21.0: restore it into a Qdrant 1.20.x first (a "
                        + "throwaway one will do), snapshot the collection there, and restore that snapshot here, one "
                        + "minor version at a time"));
        qdrant.version("1.18.2"); // older than the snapshot: no way on but an older Qdrant
        restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(409)
                .body("detail", equalTo(file.getFileName() + " was written by Qdrant 1.19.0; it restores only into "
                        + "1.19.x or 1.20.x, and Qdrant runs 1.18.2"));
        qdrant.version("1.20.3");
        restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(200);
    }

    /**
     * A snapshot file that grows after the restore has listed it (something writing where nothing may) fails as a file
     * that changed, not as a Qdrant that could not be reached; Qdrant gets no whole upload, and restores nothing.
     */
    @Test
    void aFileThatGrowsDuringTheRestoreIsRefusedAsChangedNotAsAnUnreachableQdrant() throws Exception {
        Path file = takeSnapshot();
        long size = Files.size(file);
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(file));
        qdrant.server().resetRequests();
        qdrant.aliasesAnswerAfter(1_500); // the restore has listed the file, and waits here before its upload
        CompletableFuture<ValidatableResponse> answer = CompletableFuture
                .supplyAsync(() -> restore(file, "{\"collection\":\"" + TARGET + "\"}"));
        qdrant.awaitReceived("GET", "/aliases");
        Files.write(file, new byte[4096], StandardOpenOption.APPEND);

        answer.get(30, TimeUnit.SECONDS).statusCode(422).body("detail", equalTo(file.getFileName() + " could not be "
                + "read: it has more than the " + size + " bytes announced for its upload (it changed since it was "
                + "listed)"));
        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).isEmpty();
    }

    @Test
    void refusesACorruptFileAndQdrantRestoresNothing() throws Exception {
        Path file = takeSnapshot();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(file));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file, bytes);

        restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(422)
                .body("detail", startsWith(file.getFileName() + " fails verification, so it is not restored: it hashes "
                        + "to "));
        // verified as it uploads: the upload is cut before its end, so Qdrant never gets a whole request
        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).isEmpty();
        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get("/api/snapshots").then()
                .body("find { it.file == '" + file.getFileName() + "' }.verified", equalTo(false));
    }

    @Test
    void refusesAFileThatFailsTheOfflineCheck() {
        Path file = dir.plantSnapshot(Instant.now().minusSeconds(60), "kairos", TestData.randomBytes(30_000));

        restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(422)
                .body("detail", containsString("The snapshot is not a sound Qdrant snapshot archive"));
        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).isEmpty();
    }

    @Test
    void aChecksumMismatchAtQdrantIsAFailedRestoreWithQdrantsWords() {
        Path file = takeSnapshot();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(file));
        qdrant.uploadFails(TARGET, 400, "Checksum mismatch: expected 00ff, actual 11ee");

        restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(502)
                .body("status", equalTo("failed"))
                .body("message", startsWith("The upload failed: Qdrant answered 400 to upload snapshot"))
                .body("message", containsString("Checksum mismatch: expected 00ff, actual 11ee"));
        // Qdrant made nothing: no collection, no copy of the upload to delete
        assertThat(qdrant.requests("DELETE", "/collections/" + TARGET + "/snapshots/")).isEmpty();
    }

    @Test
    void anUploadCutMidwayIsAFailedRestoreThatLeavesNothingOnQdrant() {
        Path file = takeSnapshot();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, uploadName(file));
        qdrant.server().stubFor(post(urlPathEqualTo("/collections/" + TARGET + "/snapshots/upload")).atPriority(1)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        ValidatableResponse cut = restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(502)
                .body("status", equalTo("failed"))
                .body("message", startsWith("The upload failed: "))
                .body("message", containsString("upload snapshot `" + uploadName(file) + "` to collection `" + TARGET))
                .body("uploadedCopyDeleted", equalTo(true));
        if (Boolean.TRUE.equals(cut.extract().path("qdrantStillRestoring"))) {
            // cut once Qdrant had all of it: the service follows Qdrant's restore; it finds none going, nothing there
            String run = cut.extract().header("Link").substring(1, cut.extract().header("Link").indexOf('>'));
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given()
                    .header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get(run).then()
                    .body("report.qdrantStillRestoring", equalTo(false)));
        }
        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get("/api/snapshots").then()
                .body("find { it.file == '" + file.getFileName() + "' }.verified", equalTo(true));
    }

    @Test
    void aWrongCountAfterTheRestoreFailsIt() {
        Path file = takeSnapshot();
        qdrant.restoresUploads(TARGET, 7, uploadName(file));

        restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(502)
                .body("status", equalTo("failed"))
                .body("pointsFound", equalTo(7))
                .body("message", equalTo("Collection `" + TARGET + "` has 7 points after the restore, but the "
                        + "snapshot was taken with " + QdrantStandIn.POINTS))
                .body("uploadedCopyDeleted", equalTo(true));
    }

    @Test
    void aCustomShardedSnapshotIntoANewCollectionIsRefusedAndNothingIsSent() {
        qdrant.snapshotServed("kairos", SnapshotArchiveBuilder.archive()
                .customSharding("[{\"key\":\"tenant-a\",\"shard_ids\":[0]}]").build());
        Path file = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        qdrant.restoresUploads(TARGET, 0, uploadName(file)); // as Qdrant does: the collection, and no point in it

        restore(file, "{\"collection\":\"" + TARGET + "\"}").statusCode(409)
                .body("detail", equalTo(file.getFileName() + " is custom-sharded: Qdrant restores no point into a "
                        + "collection it creates from such a snapshot (Qdrant issue 10135); create collection `"
                        + TARGET + "` with the snapshot's config and shard keys (its manifest's collection.config, "
                        + "and shard_key_mapping.json in the snapshot) first, then restore with overwrite"));
        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).isEmpty();
    }

    @Test
    void needsTheApiToken() {
        Path file = takeSnapshot();
        given().contentType("application/json").body("{}").post("/api/snapshots/" + file.getFileName() + "/restore")
                .then().statusCode(401);
        given().contentType("application/json").body("{}").post("/api/restore").then().statusCode(401);
        restore(Path.of("2026-01-01T00-00-00-000Z-nope.snap"), "{}").statusCode(404);
    }
}
