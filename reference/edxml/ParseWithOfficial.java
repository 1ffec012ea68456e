// Our harness around the official edXML library (EdXML102, national axis SDK): parse each file
// given on the command line with the library's own parser and print every field it read as
// one JSON line, so reference/edxml/check.py can compare them with what we wrote or read.
//
// Usage: java -cp <EdXML102 jar and its libs>:<classes> ParseWithOfficial package|status FILE…
// Not part of the application; run by `make check-edxml-reference`.

import com.vnpt.xml.base.attachment.Attachment;
import com.vnpt.xml.base.body.Body;
import com.vnpt.xml.base.body.Reference;
import com.vnpt.xml.base.header.Bussiness;
import com.vnpt.xml.base.header.BussinessDocumentInfo;
import com.vnpt.xml.base.header.Header;
import com.vnpt.xml.base.header.Organization;
import com.vnpt.xml.base.header.Receiver;
import com.vnpt.xml.base.header.ReceiverList;
import com.vnpt.xml.base.header.ReplacementInfo;
import com.vnpt.xml.base.header.ReplacementInfoList;
import com.vnpt.xml.base.header.ResponseFor;
import com.vnpt.xml.base.header.SignReference;
import com.vnpt.xml.base.header.Signature;
import com.vnpt.xml.base.header.StaffInfo;
import com.vnpt.xml.base.header.TraceHeader;
import com.vnpt.xml.base.header.TraceHeaderList;
import com.vnpt.xml.ed.Ed;
import com.vnpt.xml.ed.header.MessageHeader;
import com.vnpt.xml.ed.header.OtherInfo;
import com.vnpt.xml.ed.parser.EdXmlParser;
import com.vnpt.xml.status.Status;
import com.vnpt.xml.status.header.MessageStatus;
import com.vnpt.xml.status.parser.StatusXmlParser;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;

public class ParseWithOfficial {
    private static Object str(Object value) {
        return value == null ? JSONObject.NULL : value;
    }

    private static Object date(Date value) {
        return value == null ? JSONObject.NULL : new SimpleDateFormat("yyyy/MM/dd").format(value);
    }

    private static Object time(Date value) {
        return value == null ? JSONObject.NULL
                : new SimpleDateFormat("yyyy/MM/dd HH:mm:ss").format(value);
    }

    private static JSONArray strings(List<String> values) {
        JSONArray out = new JSONArray();
        if (values != null) {
            for (String value : values) {
                out.put(str(value));
            }
        }
        return out;
    }

    private static Object organ(Organization org) {
        if (org == null) {
            return JSONObject.NULL;
        }
        return new JSONObject().put("OrganId", str(org.getOrganId()))
                .put("OrganizationInCharge", str(org.getOrganizationInCharge()))
                .put("OrganName", str(org.getOrganName())).put("OrganAdd", str(org.getOrganAdd()))
                .put("Email", str(org.getEmail())).put("Telephone", str(org.getTelephone()))
                .put("Fax", str(org.getFax())).put("Website", str(org.getWebsite()));
    }

    private static Object staff(StaffInfo staff) {
        if (staff == null) {
            return JSONObject.NULL;
        }
        return new JSONObject().put("Department", str(staff.getDepartment()))
                .put("Staff", str(staff.getStaff())).put("Mobile", str(staff.getMobile()))
                .put("Email", str(staff.getEmail())).put("StaffId", str(staff.getStaffId()))
                .put("DepartmentId", str(staff.getDepartmentId()));
    }

    private static Object responseFor(ResponseFor item) {
        if (item == null) {
            return JSONObject.NULL;
        }
        return new JSONObject().put("OrganId", str(item.getOrganId()))
                .put("Code", str(item.getCode()))
                .put("PromulgationDate", date(item.getPromulgationDate()))
                .put("DocumentId", str(item.getDocumentId()));
    }

    private static Object business(Bussiness business) {
        if (business == null) {
            return JSONObject.NULL;
        }
        JSONArray infos = new JSONArray();
        if (business.getBussinessDocumentInfo() != null) {
            for (BussinessDocumentInfo info : business.getBussinessDocumentInfo()) {
                JSONArray receivers = new JSONArray();
                if (info.getreceiverList() != null) {
                    for (ReceiverList list : info.getreceiverList()) {
                        for (Receiver receiver : list.getReceiver()) {
                            receivers.put(new JSONObject().put("OrganId", str(receiver.getOrganId()))
                                    .put("ReceiverType", str(receiver.getReceiverType())));
                        }
                    }
                }
                infos.put(new JSONObject().put("DocumentInfo", str(info.getdocumentInfo()))
                        .put("DocumentReceiver", str(info.getdocumentReceiver()))
                        .put("Receivers", receivers));
            }
        }
        JSONArray replacements = new JSONArray();
        if (business.getReplacementInfoList() != null) {
            for (ReplacementInfoList list : business.getReplacementInfoList()) {
                for (ReplacementInfo info : list.getReplacementInfo()) {
                    replacements.put(new JSONObject().put("DocumentId", str(info.getDocumentId()))
                            .put("OrganIds", info.getOrganIdList() == null ? new JSONArray()
                                    : strings(info.getOrganIdList().getOrganId())));
                }
            }
        }
        JSONArray staffs = new JSONArray();
        if (business.getStaffInfo() != null) {
            for (StaffInfo item : business.getStaffInfo()) {
                staffs.put(staff(item));
            }
        }
        return new JSONObject().put("DocumentId", str(business.getDocumentId()))
                .put("BussinessDocType", str(business.getBussinessDocType()))
                .put("BussinessDocReason", str(business.getBussinessDocReason()))
                .put("Paper", str(business.getPaper())).put("BussinessDocumentInfo", infos)
                .put("ReplacementInfo", replacements).put("StaffInfo", staffs);
    }

    private static Object signature(Signature signature) {
        if (signature == null) {
            return JSONObject.NULL;
        }
        JSONObject out = new JSONObject().put("SignatureValue", str(signature.getSignatureValue()));
        if (signature.getSignedInfo() != null) {
            JSONArray references = new JSONArray();
            if (signature.getSignedInfo().getReference() != null) {
                for (SignReference ref : signature.getSignedInfo().getReference()) {
                    references.put(new JSONObject().put("URI", str(ref.getURI()))
                            .put("Transforms", strings(ref.getTransforms()))
                            .put("DigestMethod", str(ref.getDigestMethod()))
                            .put("DigestValue", str(ref.getDigestValue())));
                }
            }
            out.put("CanonicalizationMethod", str(signature.getSignedInfo().getCanonicalizationMethod()))
                    .put("SignatureMethod", str(signature.getSignedInfo().getSignatureMethod()))
                    .put("References", references);
        }
        if (signature.getKeyInfo() != null && signature.getKeyInfo().getX509Data() != null) {
            out.put("X509SubjectName", str(signature.getKeyInfo().getX509Data().getX509SubjectName()))
                    .put("X509Certificate", str(signature.getKeyInfo().getX509Data().getX509Certificate()));
        }
        return out;
    }

    private static String sha256(File file) throws Exception {
        if (file == null || !file.isFile()) {
            return null;
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file.toPath()))) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    private static JSONObject message(MessageHeader mh) {
        JSONArray toes = new JSONArray();
        if (mh.getToes() != null) {
            for (Organization org : mh.getToes()) {
                toes.put(organ(org));
            }
        }
        JSONArray responses = new JSONArray();
        if (mh.getResponseFor() != null) {
            for (ResponseFor item : mh.getResponseFor()) {
                responses.put(responseFor(item));
            }
        }
        JSONObject out = new JSONObject().put("From", organ(mh.getFrom())).put("To", toes)
                .put("DocumentId", str(mh.getDocumentId())).put("Subject", str(mh.getSubject()))
                .put("Content", str(mh.getContent())).put("DueDate", date(mh.getDueDate()))
                .put("ToPlaces", strings(mh.getToPlaces())).put("ResponseFor", responses)
                .put("SteeringType", mh.getSteeringType());
        if (mh.getCode() != null) {
            out.put("CodeNumber", str(mh.getCode().getCodeNumber()))
                    .put("CodeNotation", str(mh.getCode().getCodeNotation()));
        }
        if (mh.getPromulgationInfo() != null) {
            out.put("Place", str(mh.getPromulgationInfo().getPlace())).put("PromulgationDate",
                    date(mh.getPromulgationInfo().getPromulgationDate()));
        }
        if (mh.getDocumentType() != null) {
            out.put("Type", mh.getDocumentType().getType())
                    .put("TypeDetail", mh.getDocumentType().getTypeDetail())
                    .put("TypeName", str(mh.getDocumentType().getTypeName()));
        }
        if (mh.getSignerInfo() != null) {
            out.put("Competence", str(mh.getSignerInfo().getCompetence()))
                    .put("Position", str(mh.getSignerInfo().getPosition()))
                    .put("FullName", str(mh.getSignerInfo().getFullName()));
        }
        OtherInfo other = mh.getOtherInfo();
        if (other != null) {
            out.put("OtherInfo", new JSONObject().put("Priority", other.getPriority())
                    .put("SphereOfPromulgation", str(other.getSphereOfPromulgation()))
                    .put("TyperNotation", str(other.getTyperNotation()))
                    .put("PromulgationAmount", other.getPromulgationAmount())
                    .put("PageAmount", other.getPageAmount()).put("Direction", other.isDirection())
                    .put("Appendixes", strings(other.getAppendixes())));
        }
        return out;
    }

    private static JSONObject parsePackage(File file) throws Exception {
        Ed ed;
        try (InputStream in = new FileInputStream(file)) {
            ed = EdXmlParser.getInstance().parse(in);
        }
        Header header = ed.getHeader();
        JSONObject out = new JSONObject().put("MessageHeader",
                message((MessageHeader) header.getMessageHeader()));
        TraceHeaderList traces = header.getTraceHeaderList();
        JSONArray traceList = new JSONArray();
        if (traces != null && traces.getTraceHeaders() != null) {
            for (TraceHeader trace : traces.getTraceHeaders()) {
                traceList.put(new JSONObject().put("OrganId", str(trace.getOrganId()))
                        .put("Timestamp", time(trace.getTimestamp())));
            }
        }
        out.put("TraceHeaders", traceList)
                .put("Bussiness", traces == null ? JSONObject.NULL : business(traces.getBussiness()))
                .put("Signature", signature(header.getSignature()));
        JSONArray references = new JSONArray();
        Body body = ed.getBody();
        if (body != null && body.getManifest() != null && body.getManifest().getReferences() != null) {
            for (Reference ref : body.getManifest().getReferences()) {
                references.put(new JSONObject().put("ContentId", str(ref.getContentId()))
                        .put("ContentType", str(ref.getContentType()))
                        .put("AttachmentName", str(ref.getAttachmentName()))
                        .put("Description", str(ref.getDescription())));
            }
        }
        JSONArray attachments = new JSONArray();
        if (ed.getAttachments() != null) {
            for (Attachment attachment : ed.getAttachments()) {
                attachments.put(new JSONObject().put("ContentId", str(attachment.getContentId()))
                        .put("AttachmentName", str(attachment.getName()))
                        .put("Description", str(attachment.getDescription()))
                        .put("ContentType", str(attachment.getContentType()))
                        .put("Format", str(attachment.getFormat()))
                        .put("Sha256", str(sha256(attachment.getContent()))));
            }
        }
        return out.put("References", references).put("Attachments", attachments);
    }

    private static JSONObject parseStatus(File file) throws Exception {
        Status status;
        try (InputStream in = new FileInputStream(file)) {
            status = StatusXmlParser.parse(in);
        }
        MessageStatus mh = (MessageStatus) status.getHeader().getMessageHeader();
        return new JSONObject().put("From", organ(mh.getFrom()))
                .put("ResponseFor", responseFor(mh.getResponseFor()))
                .put("StatusCode", str(mh.getStatusCode()))
                .put("Description", str(mh.getDescription()))
                .put("Timestamp", time(mh.getTimestamp())).put("StaffInfo", staff(mh.getStaffInfo()));
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        boolean status = "status".equals(args[0]);
        for (int i = 1; i < args.length; i++) {
            File file = new File(args[i]);
            JSONObject line;
            try {
                line = status ? parseStatus(file) : parsePackage(file);
            } catch (Exception error) {
                Throwable root = error;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                line = new JSONObject().put("error", error + " / " + root);
            }
            out.println(line.put("file", file.getName()).toString());
        }
    }
}
