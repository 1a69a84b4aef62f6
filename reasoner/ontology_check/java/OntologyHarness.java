import java.io.File;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.xml.parsers.DocumentBuilderFactory;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.OWLXMLDocumentFormat;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLAxiom;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.util.SimpleIRIMapper;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The ontology as Protégé sees it, through the OWL API (Debian's libowlapi-java, 5.1).
 *
 * <pre>
 * java OntologyHarness profile DIR        OWL 2 DL profile of every module and the root, each with its imports
 * java OntologyHarness save DIR OUT       load the root with its imports, save every module as Protégé does
 * java OntologyHarness merge DIR OUT.owx  the root's import closure as one OWL/XML file (for HermiT)
 * </pre>
 *
 * DIR holds catalog-v001.xml, which maps every import IRI to a file there. Output is one line per
 * finding, tab-separated: MODULE file count | VIOLATION file owner-file text | IMPORT file iri reason |
 * ERROR file text | SAVED file.
 */
public final class OntologyHarness {
    private static final String CATALOG = "catalog-v001.xml";
    private static final String ROOT = "necessity.ttl";

    private OntologyHarness() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: OntologyHarness profile|save|merge DIR [OUT]");
            System.exit(2);
        }
        File dir = new File(args[1]).getCanonicalFile();
        Map<String, File> catalog = readCatalog(dir);
        switch (args[0]) {
            case "profile":
                profile(dir, catalog);
                break;
            case "save":
                save(dir, catalog, new File(args[2]));
                break;
            case "merge":
                merge(dir, catalog, new File(args[2]));
                break;
            default:
                System.err.println("unknown command " + args[0]);
                System.exit(2);
        }
    }

    /** Every name -> file of the catalog, in the order of the file. */
    static Map<String, File> readCatalog(File dir) throws Exception {
        Map<String, File> mapping = new TreeMap<>();
        File file = new File(dir, CATALOG);
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        NodeList uris = factory.newDocumentBuilder().parse(file).getElementsByTagNameNS("*", "uri");
        for (int i = 0; i < uris.getLength(); i++) {
            Element uri = (Element) uris.item(i);
            mapping.put(uri.getAttribute("name"), new File(dir, uri.getAttribute("uri")));
        }
        return mapping;
    }

    /** A manager that resolves imports through the catalog and reports, not throws, a missing import. */
    static OWLOntologyManager manager(Map<String, File> catalog, File dir, String file) {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getIRIMappers().clear();  // no network, no guessing from the file system: the catalog only
        for (Map.Entry<String, File> entry : catalog.entrySet()) {
            manager.getIRIMappers().add(new SimpleIRIMapper(IRI.create(entry.getKey()), IRI.create(entry.getValue())));
        }
        // last resort for an IRI the catalog does not map: a file that does not exist, never the network
        File unmapped = new File(dir, "not-in-" + CATALOG);
        manager.getIRIMappers().add(iri -> catalog.containsKey(iri.toString()) ? null : IRI.create(unmapped));
        manager.setOntologyLoaderConfiguration(new OWLOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT));
        manager.addMissingImportListener(event -> System.out.println(
            "IMPORT\t" + file + "\t" + event.getImportedOntologyURI() + "\t" + oneLine(event.getCreationException())));
        return manager;
    }

    static List<String> moduleFiles(File dir, Map<String, File> catalog) {
        List<String> files = new ArrayList<>();
        files.add(ROOT);
        for (File f : catalog.values()) {
            if (!files.contains(f.getName())) {
                files.add(f.getName());
            }
        }
        return files;
    }

    static void profile(File dir, Map<String, File> catalog) {
        for (String name : moduleFiles(dir, catalog)) {
            try {
                OWLOntologyManager manager = manager(catalog, dir, name);
                OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(dir, name));
                OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
                List<OWLProfileViolation> violations = report.getViolations();
                for (OWLProfileViolation violation : violations) {
                    System.out.println("VIOLATION\t" + name + "\t" + owner(manager, ontology, axiomOf(violation), name)
                        + "\t" + oneLine(violation.toString()));
                }
                System.out.println("MODULE\t" + name + "\t" + violations.size());
            } catch (Exception e) {
                System.out.println("ERROR\t" + name + "\t" + oneLine(e));
            }
        }
    }

    /** The axiom a violation is about; null for one about the ontology (a missing import, say). */
    static OWLAxiom axiomOf(OWLProfileViolation violation) {
        try {
            return violation.getAxiom();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /** The file of the module (in the import closure) that holds the axiom, else the module checked. */
    static String owner(OWLOntologyManager manager, OWLOntology checked, OWLAxiom axiom, String fallback) {
        if (axiom == null) {
            return fallback;
        }
        return checked.importsClosure().filter(o -> o.containsAxiom(axiom)).findFirst()
            .map(o -> new File(manager.getOntologyDocumentIRI(o).toURI()).getName()).orElse(fallback);
    }

    static void save(File dir, Map<String, File> catalog, File out) throws Exception {
        out.mkdirs();
        OWLOntologyManager manager = manager(catalog, dir, ROOT);
        manager.loadOntologyFromOntologyDocument(new File(dir, ROOT));
        for (OWLOntology ontology : manager.getOntologies()) {
            IRI document = manager.getOntologyDocumentIRI(ontology);
            String name = new File(document.toURI()).getName();
            OWLDocumentFormat format = manager.getOntologyFormat(ontology);  // Protégé keeps the format it loaded
            manager.saveOntology(ontology, format, IRI.create(new File(out, name)));
            System.out.println("SAVED\t" + name);
        }
        Files.copy(new File(dir, CATALOG).toPath(), new File(out, CATALOG).toPath(), StandardCopyOption.REPLACE_EXISTING);
    }

    static void merge(File dir, Map<String, File> catalog, File out) throws Exception {
        OWLOntologyManager manager = manager(catalog, dir, ROOT);
        OWLOntology root = manager.loadOntologyFromOntologyDocument(new File(dir, ROOT));
        OWLOntologyManager target = OWLManager.createOWLOntologyManager();
        OWLOntology merged = target.createOntology(IRI.create("urn:necessity:merged"));
        root.importsClosure().forEach(o -> target.addAxioms(merged, o.axioms()));
        target.saveOntology(merged, new OWLXMLDocumentFormat(), IRI.create(out.getCanonicalFile()));
        System.out.println("SAVED\t" + out.getName());
    }

    static String oneLine(Object o) {
        String text = o instanceof Throwable ? ((Throwable) o).getClass().getSimpleName() + ": " + ((Throwable) o).getMessage() : String.valueOf(o);
        return text.replaceAll("\\s+", " ").trim();
    }
}
