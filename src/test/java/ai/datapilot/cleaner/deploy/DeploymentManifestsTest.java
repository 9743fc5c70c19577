package ai.datapilot.cleaner.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Kubernetes manifests in deploy/ pass Pod Security "restricted" (the rules of
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/ for every container, init
 * container included), plus this project's own: a read-only root file system with an emptyDir on
 * /tmp, resource requests and a memory limit, the image tagged with the pom's version, the
 * Dockerfile's user. Read as a cluster's admission would read them, so they cannot drift.
 */
class DeploymentManifestsTest {

    static final Path DEPLOY = Path.of("deploy");
    /** Volume types "restricted" allows. */
    static final Set<String> VOLUME_TYPES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
            "persistentVolumeClaim", "projected", "secret");
    static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");

    @ParameterizedTest
    @ValueSource(strings = {"cronjob.yaml", "cronjob-object-storage.yaml", "deployment.yaml"})
    void everyPodPassesTheRestrictedProfile(String file) throws Exception {
        List<Map<String, Object>> pods = podSpecs(Files.readString(DEPLOY.resolve(file)));

        assertThat(pods).as("pod templates in %s", file).isNotEmpty();
        for (Map<String, Object> pod : pods) {
            assertThat(violations(pod, projectVersion(), dockerfileUid())).as(file).isEmpty();
        }
    }

    @Test
    void theRulesCatchWhatAHardenedClusterRefuses() throws Exception {
        String pod = """
                apiVersion: apps/v1
                kind: Deployment
                spec:
                  template:
                    spec:
                      hostNetwork: true
                      securityContext: { runAsUser: 0, sysctls: [{ name: kernel.msgmax, value: "1" }] }
                      initContainers:
                        - name: init
                          image: busybox
                      containers:
                        - name: c
                          image: datapilot-cleaner:latest
                          ports: [{ containerPort: 80, hostPort: 80 }]
                          securityContext:
                            privileged: true
                            capabilities: { add: [SYS_ADMIN], drop: [NET_RAW] }
                            seccompProfile: { type: Unconfined }
                      volumes:
                        - { name: host, hostPath: { path: /var/data } }
                """;

        List<String> found = violations(podSpecs(pod).get(0), "1.2.3", 10001);

        assertThat(String.join("\n", found)).contains(
                "hostNetwork", "sysctl kernel.msgmax", "runAsUser 0", "volume host: hostPath",
                "init: allowPrivilegeEscalation", "init: capabilities.drop", "init: image busybox has no tag",
                "c: privileged", "c: capabilities.add [SYS_ADMIN]", "c: capabilities.drop", "c: seccompProfile Unconfined",
                "c: hostPort 80", "c: image datapilot-cleaner:latest", "c: readOnlyRootFilesystem", "c: no emptyDir on /tmp",
                "c: resources.requests.cpu", "c: resources.limits.memory", "runAsNonRoot");
    }

    /** Every pod template of every document: a Deployment's, a CronJob's, a Job's or a Pod's own spec. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> podSpecs(String yaml) {
        List<Map<String, Object>> pods = new ArrayList<>();
        for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            if (!(doc instanceof Map<?, ?> m)) {
                continue;
            }
            Map<String, Object> spec = map(m, "spec");
            switch (String.valueOf(m.get("kind"))) {
                case "Pod" -> pods.add(spec);
                case "CronJob" -> pods.add(map(map(map(map(spec, "jobTemplate"), "spec"), "template"), "spec"));
                case "Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet" -> pods.add(map(map(spec, "template"), "spec"));
                default -> { }
            }
        }
        return pods;
    }

    static List<String> violations(Map<String, Object> pod, String version, int uid) {
        List<String> v = new ArrayList<>();
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (Boolean.TRUE.equals(pod.get(host))) {
                v.add(host + " is true");
            }
        }
        Map<String, Object> podSc = map(pod, "securityContext");
        for (Object sysctl : list(podSc, "sysctls")) {
            String name = String.valueOf(((Map<?, ?>) sysctl).get("name"));
            if (!SAFE_SYSCTLS.contains(name)) {
                v.add("sysctl " + name + " is not in the safe set");
            }
        }
        v.addAll(userAndSeccomp("pod", podSc, uid));
        List<String> emptyDirs = new ArrayList<>();
        for (Object o : list(pod, "volumes")) {
            Map<?, ?> volume = (Map<?, ?>) o;
            for (Object key : volume.keySet()) {
                if (!key.equals("name") && !VOLUME_TYPES.contains(key)) {
                    v.add("volume " + volume.get("name") + ": " + key + " is not allowed");
                }
            }
            if (volume.containsKey("emptyDir")) {
                emptyDirs.add(String.valueOf(volume.get("name")));
            }
        }
        List<Object> all = new ArrayList<>(list(pod, "containers"));
        all.addAll(list(pod, "initContainers"));
        all.addAll(list(pod, "ephemeralContainers"));
        for (Object o : all) {
            Map<String, Object> c = cast(o);
            String n = c.get("name") + ": ";
            Map<String, Object> sc = map(c, "securityContext");
            if (Boolean.TRUE.equals(sc.get("privileged"))) {
                v.add(n + "privileged");
            }
            if (!Boolean.FALSE.equals(sc.get("allowPrivilegeEscalation"))) {
                v.add(n + "allowPrivilegeEscalation is not false");
            }
            Map<String, Object> caps = map(sc, "capabilities");
            if (!list(caps, "drop").contains("ALL")) {
                v.add(n + "capabilities.drop does not hold ALL");
            }
            List<Object> added = new ArrayList<>(list(caps, "add"));
            added.remove("NET_BIND_SERVICE");
            if (!added.isEmpty()) {
                v.add(n + "capabilities.add " + added + " (only NET_BIND_SERVICE is allowed)");
            }
            if (sc.containsKey("procMount") && !"Default".equals(sc.get("procMount"))) {
                v.add(n + "procMount " + sc.get("procMount"));
            }
            for (String err : userAndSeccomp(String.valueOf(c.get("name")), sc, uid)) {
                v.add(n + err);
            }
            // "restricted" asks both in the pod or in every container
            if (!Boolean.TRUE.equals(podSc.get("runAsNonRoot")) && !Boolean.TRUE.equals(sc.get("runAsNonRoot"))) {
                v.add(n + "runAsNonRoot is not true (pod or container)");
            }
            if (!podSc.containsKey("seccompProfile") && !sc.containsKey("seccompProfile")) {
                v.add(n + "no seccompProfile (pod or container)");
            }
            for (Object p : list(c, "ports")) {
                Object hostPort = ((Map<?, ?>) p).get("hostPort");
                if (hostPort != null && !Integer.valueOf(0).equals(hostPort)) {
                    v.add(n + "hostPort " + hostPort);
                }
            }
            String image = String.valueOf(c.get("image"));
            Matcher tag = Pattern.compile(":([^:/@]+)$").matcher(image);
            if (!tag.find()) {
                v.add(n + "image " + image + " has no tag");
            } else if (image.startsWith("datapilot-cleaner:") && !tag.group(1).equals(version)) {
                v.add(n + "image " + image + " is not tagged with the project version " + version);
            }
            if (!Boolean.TRUE.equals(sc.get("readOnlyRootFilesystem"))) {
                v.add(n + "readOnlyRootFilesystem is not true");
            }
            boolean tmp = list(c, "volumeMounts").stream().map(m -> (Map<?, ?>) m)
                    .anyMatch(m -> "/tmp".equals(m.get("mountPath")) && emptyDirs.contains(String.valueOf(m.get("name"))));
            if (!tmp) {
                v.add(n + "no emptyDir on /tmp (the root file system is read-only)");
            }
            Map<String, Object> resources = map(c, "resources");
            for (String r : List.of("requests.cpu", "requests.memory", "limits.memory")) {
                String[] at = r.split("\\.");
                if (!map(resources, at[0]).containsKey(at[1])) {
                    v.add(n + "resources." + r + " is not set");
                }
            }
        }
        return v;
    }

    /** runAsUser numeric, not root and the Dockerfile's; seccomp RuntimeDefault or Localhost where set. */
    private static List<String> userAndSeccomp(String where, Map<String, Object> sc, int uid) {
        List<String> v = new ArrayList<>();
        if (Boolean.FALSE.equals(sc.get("runAsNonRoot"))) {
            v.add("runAsNonRoot false in " + where);
        }
        if (sc.containsKey("runAsUser")) {
            Object user = sc.get("runAsUser");
            if (!(user instanceof Number) || ((Number) user).longValue() == 0) {
                v.add("runAsUser " + user + " in " + where + " (must be a numeric non-root uid)");
            } else if (((Number) user).intValue() != uid) {
                v.add("runAsUser " + user + " in " + where + " is not the image's user " + uid);
            }
        }
        Object seccomp = map(sc, "seccompProfile").get("type");
        if (seccomp != null && !Set.of("RuntimeDefault", "Localhost").contains(seccomp)) {
            v.add("seccompProfile " + seccomp + " in " + where);
        }
        return v;
    }

    static String projectVersion() throws Exception {
        var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        return XPathFactory.newInstance().newXPath().evaluate("/project/version", pom);
    }

    /** The uid of the Dockerfile's USER line: the pods must run as the user the image was made for. */
    static int dockerfileUid() throws Exception {
        Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(Files.readString(Path.of("Dockerfile")));
        assertThat(user.find()).as("a numeric USER in the Dockerfile").isTrue();
        return Integer.parseInt(user.group(1));
    }

    private static Map<String, Object> map(Map<?, ?> parent, String key) {
        Object o = parent == null ? null : parent.get(key);
        return o instanceof Map<?, ?> ? cast(o) : Map.of();
    }

    private static List<Object> list(Map<?, ?> parent, String key) {
        Object o = parent.get(key);
        return o instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }
}
