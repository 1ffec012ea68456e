// Our harness around the JDK's own XML signature implementation (javax.xml.crypto.dsig), a
// signer and verifier we did not write. The official edXML library does not verify signatures,
// so this is how reference/edxml/check.py shows that other systems accept ours and that we
// accept theirs:
//
//   verify FILE…                         one JSON line per file: valid, signer subject
//   sign IN OUT KEY.der CERT.der ALG     an enveloped signature like other senders make:
//                                        Reference URI="" in edXMLHeader; ALG sha1|sha256,
//                                        "-bare" for no c14n transform (as edoc.edxml has)
//
// Not part of the application; run by `make check-edxml-reference`.

import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.xml.crypto.AlgorithmMethod;
import javax.xml.crypto.KeySelector;
import javax.xml.crypto.KeySelectorException;
import javax.xml.crypto.KeySelectorResult;
import javax.xml.crypto.XMLCryptoContext;
import javax.xml.crypto.XMLStructure;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMSignContext;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.keyinfo.KeyInfoFactory;
import javax.xml.crypto.dsig.keyinfo.X509Data;
import javax.xml.crypto.dsig.spec.C14NMethodParameterSpec;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.json.JSONObject;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public class XmlSignatureJdk {
    private static final String EDXML = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

    private static Document read(InputStream in) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(in);
    }

    /** The certificate in KeyInfo/X509Data that verifies the signature (the signer's). */
    private static final class X509KeySelector extends KeySelector {
        X509Certificate used;

        @Override
        public KeySelectorResult select(KeyInfo keyInfo, Purpose purpose, AlgorithmMethod method,
                                        XMLCryptoContext context) throws KeySelectorException {
            for (Object item : keyInfo.getContent()) {
                if (item instanceof X509Data) {
                    for (Object entry : ((X509Data) item).getContent()) {
                        if (entry instanceof X509Certificate) {
                            X509Certificate certificate = (X509Certificate) entry;
                            used = certificate;
                            PublicKey key = certificate.getPublicKey();
                            return () -> key;
                        }
                    }
                }
            }
            throw new KeySelectorException("no X509Certificate in KeyInfo");
        }
    }

    private static JSONObject verify(String path) throws Exception {
        Document document;
        try (InputStream in = new FileInputStream(path)) {
            document = read(in);
        }
        NodeList signatures = document.getElementsByTagNameNS(XMLSignature.XMLNS, "Signature");
        if (signatures.getLength() != 1) {
            return new JSONObject().put("valid", false)
                    .put("reason", signatures.getLength() + " ds:Signature elements");
        }
        X509KeySelector selector = new X509KeySelector();
        DOMValidateContext context = new DOMValidateContext(selector, signatures.item(0));
        XMLSignature signature = XMLSignatureFactory.getInstance("DOM").unmarshalXMLSignature(context);
        boolean valid = signature.validate(context);
        return new JSONObject().put("valid", valid)
                .put("subject", selector.used == null ? JSONObject.NULL
                        : selector.used.getSubjectX500Principal().getName())
                .put("method", signature.getSignedInfo().getSignatureMethod().getAlgorithm());
    }

    private static void sign(String in, String out, String keyPath, String certPath, String alg)
            throws Exception {
        Document document;
        try (InputStream stream = new FileInputStream(in)) {
            document = read(stream);
        }
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(
                new PKCS8EncodedKeySpec(Files.readAllBytes(Paths.get(keyPath))));
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(Paths.get(certPath))));
        XMLSignatureFactory factory = XMLSignatureFactory.getInstance("DOM");
        boolean sha1 = alg.startsWith("sha1");
        List<Transform> transforms = new ArrayList<>();
        transforms.add(factory.newTransform(Transform.ENVELOPED, (TransformParameterSpec) null));
        if (!alg.endsWith("-bare")) {
            transforms.add(factory.newTransform(CanonicalizationMethod.EXCLUSIVE,
                    (TransformParameterSpec) null));
        }
        Reference reference = factory.newReference("",
                factory.newDigestMethod(sha1 ? DigestMethod.SHA1 : DigestMethod.SHA256, null),
                transforms, null, null);
        SignedInfo signedInfo = factory.newSignedInfo(
                factory.newCanonicalizationMethod(CanonicalizationMethod.INCLUSIVE,
                        (C14NMethodParameterSpec) null),
                factory.newSignatureMethod(sha1 ? SignatureMethod.RSA_SHA1
                        : "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", null),
                Collections.singletonList(reference));
        KeyInfoFactory keyInfos = factory.getKeyInfoFactory();
        List<Object> x509 = new ArrayList<>();
        x509.add(certificate.getSubjectX500Principal().getName());
        x509.add(certificate);
        KeyInfo keyInfo = keyInfos.newKeyInfo(Collections.singletonList(keyInfos.newX509Data(x509)));
        Element header = (Element) document.getElementsByTagNameNS(EDXML, "edXMLHeader").item(0);
        DOMSignContext context = new DOMSignContext(key, header);
        context.setDefaultNamespacePrefix("ds");
        factory.newXMLSignature(signedInfo, keyInfo).sign(context);
        try (OutputStream stream = new FileOutputStream(out)) {
            TransformerFactory.newInstance().newTransformer()
                    .transform(new DOMSource(document), new StreamResult(stream));
        }
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        if ("sign".equals(args[0])) {
            sign(args[1], args[2], args[3], args[4], args[5]);
            return;
        }
        for (int i = 1; i < args.length; i++) {
            JSONObject line;
            try {
                line = verify(args[i]);
            } catch (Exception error) {
                line = new JSONObject().put("valid", false).put("reason", error.toString());
            }
            out.println(line.put("file", Paths.get(args[i]).getFileName().toString()).toString());
        }
    }
}
