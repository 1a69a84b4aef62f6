import java.io.File;

import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;

/**
 * HermiT on one ontology file without imports (OntologyHarness merge writes it): is it consistent,
 * which named classes are unsatisfiable. Compiled against the HermiT jar owlready2 ships, which
 * carries its own OWL API 3. Output lines, tab-separated: CONSISTENT true|false,
 * UNSATISFIABLE iri, ERROR text.
 */
public final class HermitCheck {
    private HermitCheck() {}

    public static void main(String[] args) {
        try {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
            Configuration configuration = new Configuration();
            configuration.throwInconsistentOntologyException = false;
            Reasoner reasoner = new Reasoner(configuration, ontology);
            boolean consistent = reasoner.isConsistent();
            System.out.println("CONSISTENT\t" + consistent);
            if (consistent) {
                for (OWLClass cls : reasoner.getUnsatisfiableClasses().getEntitiesMinusBottom()) {
                    System.out.println("UNSATISFIABLE\t" + cls.getIRI());
                }
            }
            reasoner.dispose();
        } catch (Exception e) {
            System.out.println("ERROR\t" + (e.getClass().getSimpleName() + ": " + e.getMessage()).replaceAll("\\s+", " "));
        }
    }
}
