import com.vpcp.services.AgencyServiceImp;
import com.vpcp.services.KnobstickServiceImp;
import com.vpcp.services.VnptProperties;
import com.vpcp.services.model.Agency;
import com.vpcp.services.model.GetAgenciesResult;
import com.vpcp.services.model.GetChangeStatusResult;
import com.vpcp.services.model.GetEdocResult;
import com.vpcp.services.model.GetReceivedEdocResult;
import com.vpcp.services.model.GetSendEdocResult;
import com.vpcp.services.model.Knobstick;
import com.vpcp.services.model.SendEdocResult;
import com.vpcp.services.model.StatusResult;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

/**
 * Our hub as the national axis's own SDK (SDKVXP 2.0.1) sees it: every call goes through the
 * SDK's classes, nothing of ours on the client side. Arguments: endpoint, sender system id,
 * its secret, its organ id, receiver system id, its secret, its organ id, the edXML file to
 * send, a store directory. Prints what the SDK saw, one line per call, and a last line
 * "SDK calls: ok=N failed=M"; exits 1 on any failure.
 *
 * The SDK prints its own tracing on standard output; it goes to standard error here so that
 * standard output holds only this harness's lines.
 */
public final class SdkAgainstHub {
    private static final PrintStream OUT = System.out;
    private static int ok;
    private static int failed;

    private static void check(String what, boolean good, String seen) {
        if (good) {
            ok++;
        } else {
            failed++;
        }
        OUT.println((good ? "OK   " : "FAIL ") + what + ": " + seen);
    }

    private static VnptProperties properties(String endpoint, String system, String secret,
                                             String store) {
        return new VnptProperties(endpoint, system, secret, store, 10, 3);
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        String senderSystem = args[1], senderSecret = args[2], senderOrgan = args[3];
        String receiverSystem = args[4], receiverSecret = args[5], receiverOrgan = args[6];
        String edxml = args[7], store = args[8];
        System.setOut(System.err);  // the SDK's own tracing

        VnptProperties sender = properties(endpoint, senderSystem, senderSecret, store);
        VnptProperties receiver = properties(endpoint, receiverSystem, receiverSecret, store);

        // getAgenciesList: both organisations are listed.
        GetAgenciesResult agencies = new AgencyServiceImp(sender).getAgenciesList("{}");
        StringBuilder codes = new StringBuilder();
        boolean senderListed = false, receiverListed = false;
        if (agencies != null && agencies.getAgencies() != null) {
            for (Agency agency : agencies.getAgencies()) {
                codes.append(agency.getCode()).append(" (").append(agency.getName()).append(") ");
                senderListed |= senderOrgan.equals(agency.getCode());
                receiverListed |= receiverOrgan.equals(agency.getCode());
            }
        }
        check("getAgenciesList", agencies != null && "OK".equals(agencies.getStatus())
                && senderListed && receiverListed,
              agencies == null ? "no answer" : agencies.getStatus() + " " + codes.toString().trim());

        // A wrong secret is refused.
        GetAgenciesResult refused = new AgencyServiceImp(
                properties(endpoint, senderSystem, "not-the-secret", store)).getAgenciesList("{}");
        check("getAgenciesList with a wrong secret", refused != null
                && "FAIL".equals(refused.getStatus()),
              refused == null ? "no answer" : refused.getStatus() + " " + refused.getErrorDesc());

        // sendEdoc as the SDK's own example does: no recipients named, the package's count.
        KnobstickServiceImp senderService = new KnobstickServiceImp(sender);
        SendEdocResult sent = senderService.sendEdoc("{\"from\":\"" + senderOrgan
                + "\",\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\"}", edxml);
        String docId = sent == null ? null : sent.getDocID();
        check("sendEdoc", sent != null && "OK".equals(sent.getStatus()) && docId != null
                && !docId.isEmpty(),
              sent == null ? "no answer" : sent.getStatus() + " DocId=" + docId + " "
                      + sent.getErrorDesc());

        // The receiving system lists it, downloads it and says it took it.
        KnobstickServiceImp receiverService = new KnobstickServiceImp(receiver);
        GetReceivedEdocResult listed = receiverService.getReceivedEdocList(
                "{\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\"}");
        List<Knobstick> items = listed == null ? null : listed.getKnobsticks();
        Knobstick item = items == null || items.isEmpty() ? null : items.get(0);
        check("getReceivedEdocList", item != null && senderOrgan.equals(item.getFrom())
                && receiverOrgan.equals(item.getTo()) && "edoc".equals(item.getMessageType()),
              item == null ? (listed == null ? "no answer" : listed.getStatus() + " nothing listed")
                      : listed.getStatus() + " " + items.size() + " item(s), first docId="
                      + item.getId() + " from=" + item.getFrom() + " to=" + item.getTo()
                      + " messageType=" + item.getMessageType() + " status=" + item.getStatus());
        if (item == null) {
            finish();
            return;
        }
        GetEdocResult got = receiverService.getEdoc(
                "{\"filePath\":\"xml\",\"docId\":\"" + item.getId() + "\"}");
        boolean same = false;
        if (got != null && got.getFilePath() != null) {
            same = Arrays.equals(Files.readAllBytes(Paths.get(edxml)),
                                 Files.readAllBytes(Paths.get(got.getFilePath())));
        }
        check("getEdoc", got != null && "OK".equals(got.getStatus()) && same,
              got == null ? "no answer" : got.getStatus() + " file=" + got.getFilePath()
                      + (same ? " (the bytes sent)" : " (NOT the bytes sent)"));
        GetChangeStatusResult updated = receiverService.updateStatus(
                "{\"status\":\"done\",\"docId\":\"" + item.getId() + "\"}");
        check("updateStatus done", updated != null && "OK".equals(updated.getStatus()),
              updated == null ? "no answer" : updated.getStatus() + " " + updated.getErrorDesc());
        GetReceivedEdocResult after = receiverService.getReceivedEdocList(
                "{\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\"}");
        boolean gone = after != null && after.getKnobsticks() != null;
        if (gone) {
            for (Knobstick left : after.getKnobsticks()) {
                gone &= !item.getId().equals(left.getId());
            }
        }
        check("getReceivedEdocList after updateStatus", gone,
              after == null ? "no answer" : after.getStatus() + " "
                      + (after.getKnobsticks() == null ? "?" : after.getKnobsticks().size())
                      + " item(s) left");

        // The sender sees the recipient's status.
        GetSendEdocResult status = new KnobstickServiceImp(sender).getSentEdocList(
                "{\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\",\"docId\":\"" + docId + "\"}");
        List<StatusResult> rows = status == null ? null : status.getStatusResult();
        StatusResult row = rows == null || rows.isEmpty() ? null : rows.get(0);
        check("getSentEdocList", row != null && receiverOrgan.equals(row.getToCode())
                && "done".equals(row.getReceiveStatus()),
              row == null ? (status == null ? "no answer" : status.getStatus() + " no rows")
                      : status.getStatus() + " toCode=" + row.getToCode() + " receiveStatus="
                      + row.getReceiveStatus());
        finish();
    }

    private static void finish() {
        OUT.println("SDK calls: ok=" + ok + " failed=" + failed);
        System.exit(failed == 0 ? 0 : 1);
    }
}
