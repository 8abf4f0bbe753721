/*
 * The records that test_rules.c and test_order.c start from (JSON Lines,
 * imported into a fresh consortium by each test's setup).
 */
#ifndef CONSORT_TEST_ORDER_BASE_H
#define CONSORT_TEST_ORDER_BASE_H

/*
 * The base lot: S1 (lead, 1e1f, 5 financed paths and one not financed),
 * S2 (co-contractor, socle, 5 paths without intents, in another territory
 * with the Region's agreement), S3 starting in April.  It passes every
 * rule; I5 is withdrawn (an R16 warning) and S2's territory an R09 one.
 */
static const char base[] =
"{\"type\":\"lot\",\"ref\":\"LOT-A\",\"sector\":\"B\xc3\xa2timent\",\"territory\":\"44\",\"rate_cents\":1410}\n"
"{\"type\":\"session\",\"ref\":\"S1\",\"provider\":\"41852736200127\",\"lot\":\"LOT-A\",\"scheme\":\"1e1f\",\"title\":\"Ma\xc3\xa7on\",\"cert_kind\":\"full\",\"cert_code\":\"RNCP38510\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"2026-03-02\",\"end\":\"2026-04-10\",\"hours\":210,\"capacity\":6,\"permanent_entry\":false}\n"
"{\"type\":\"session\",\"ref\":\"S2\",\"provider\":\"50324917900212\",\"lot\":\"LOT-A\",\"scheme\":\"socle\",\"title\":\"HACCP\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5618\",\"site\":\"Challans\",\"territory\":\"85\",\"start\":\"2026-03-09\",\"end\":\"2026-03-13\",\"hours\":35,\"capacity\":5,\"permanent_entry\":false,\"territory_agreement\":\"accord 2026-02-01\"}\n"
"{\"type\":\"session\",\"ref\":\"S3\",\"provider\":\"41852736200127\",\"lot\":\"LOT-A\",\"scheme\":\"1e1f\",\"title\":\"Plaquiste\",\"cert_kind\":\"block\",\"cert_code\":\"RNCP35781BC02\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"2026-04-13\",\"end\":\"2026-07-03\",\"hours\":420,\"capacity\":10,\"permanent_entry\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T1\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T2\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T3\",\"status\":\"siae_employee\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T4\",\"status\":\"job_seeker\",\"disability\":true,\"part_time\":true}\n"
"{\"type\":\"trainee\",\"ref\":\"T5\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T6\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T7\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T8\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T9\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T10\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T11\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"trainee\",\"ref\":\"T12\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}\n"
"{\"type\":\"intent\",\"ref\":\"I1\",\"employer\":\"B\xc3\xa2ti Ouest\",\"siret\":\"64152677700041\",\"employer_kind\":\"company\",\"contract\":\"CDI\",\"months\":0,\"weekly_hours\":35,\"job\":\"Ma\xc3\xa7on\",\"date\":\"2026-02-10\",\"evidence\":\"email 2026-02-10\",\"steps\":\"info_meeting,selection,interview\",\"status\":\"confirmed\"}\n"
"{\"type\":\"intent\",\"ref\":\"I2\",\"employer\":\"Int\xc3\xa9rim Nantes\",\"siret\":\"64555482500028\",\"employer_kind\":\"interim_agency\",\"contract\":\"CDD\",\"months\":12,\"weekly_hours\":35,\"job\":\"Ma\xc3\xa7on\",\"date\":\"2026-01-20\",\"evidence\":\"courrier 2026-01-20\",\"steps\":\"selection\",\"status\":\"confirmed\"}\n"
"{\"type\":\"intent\",\"ref\":\"I3\",\"employer\":\"Pl\xc3\xa2trerie\",\"siret\":\"90104765400016\",\"employer_kind\":\"company\",\"contract\":\"CDD\",\"months\":6,\"weekly_hours\":24,\"job\":\"Ma\xc3\xa7on\",\"date\":\"2026-02-10\",\"evidence\":\"email 2026-02-10\",\"steps\":\"info_meeting\",\"status\":\"declared\"}\n"
"{\"type\":\"intent\",\"ref\":\"I4\",\"employer\":\"R\xc3\xa9nov\",\"siret\":\"68199521300011\",\"employer_kind\":\"company\",\"contract\":\"PRO_CONTRACT\",\"months\":9,\"weekly_hours\":21,\"job\":\"Ma\xc3\xa7on\",\"date\":\"2026-02-01\",\"evidence\":\"offre 2026-02-01\",\"steps\":\"selection,interview\",\"status\":\"confirmed\"}\n"
"{\"type\":\"intent\",\"ref\":\"I5\",\"employer\":\"H\xc3\xb4tel\",\"siret\":\"32756736800045\",\"employer_kind\":\"company\",\"contract\":\"APPRENTICESHIP\",\"months\":24,\"weekly_hours\":35,\"job\":\"Ma\xc3\xa7on\",\"date\":\"2026-02-15\",\"evidence\":\"email 2026-02-15\",\"steps\":\"interview\",\"status\":\"withdrawn\",\"status_date\":\"2026-02-28\",\"status_reason\":\"poste supprim\xc3\xa9\",\"followup\":\"full_path\"}\n"
"{\"type\":\"intent\",\"ref\":\"I6\",\"employer\":\"B\xc3\xa2ti Ouest\",\"siret\":\"64152677700041\",\"employer_kind\":\"company\",\"contract\":\"CDI\",\"months\":0,\"weekly_hours\":35,\"job\":\"Plaquiste\",\"date\":\"2026-03-01\",\"evidence\":\"email 2026-03-01\",\"steps\":\"interview\",\"status\":\"confirmed\"}\n"
"{\"type\":\"path\",\"ref\":\"P1\",\"trainee\":\"T1\",\"session\":\"S1\",\"intent\":\"I1\",\"hours\":210,\"modules\":\"M1,M2\",\"financed\":true}\n"
"{\"type\":\"path\",\"ref\":\"P2\",\"trainee\":\"T2\",\"session\":\"S1\",\"intent\":\"I2\",\"hours\":189,\"modules\":\"M1\",\"financed\":true}\n"
"{\"type\":\"path\",\"ref\":\"P3\",\"trainee\":\"T3\",\"session\":\"S1\",\"intent\":\"I3\",\"hours\":231,\"modules\":\"M1,M3\",\"financed\":true}\n"
"{\"type\":\"path\",\"ref\":\"P4\",\"trainee\":\"T4\",\"session\":\"S1\",\"intent\":\"I4\",\"hours\":168,\"modules\":\"M2\",\"financed\":true}\n"
"{\"type\":\"path\",\"ref\":\"P5\",\"trainee\":\"T5\",\"session\":\"S1\",\"intent\":\"I5\",\"hours\":210,\"modules\":\"M1\",\"financed\":true}\n"
"{\"type\":\"path\",\"ref\":\"P6\",\"trainee\":\"T6\",\"session\":\"S1\",\"hours\":210,\"modules\":\"M1\",\"financed\":false}\n"
"{\"type\":\"path\",\"ref\":\"P7\",\"trainee\":\"T7\",\"session\":\"S2\",\"hours\":35,\"modules\":\"M1\",\"financed\":true}\n"
"{\"type\":\"path\",\"ref\":\"P8\",\"trainee\":\"T8\",\"session\":\"S2\",\"hours\":35,\"modules\":\"M1\",\"financed\":true}\n"
"{\"type\":\"path\",\"ref\":\"P9\",\"trainee\":\"T9\",\"session\":\"S2\",\"hours\":35,\"modules\":\"M1\",\"financed\":true}\n"
"{\"type\":\"path\",\"ref\":\"P10\",\"trainee\":\"T10\",\"session\":\"S2\",\"hours\":28,\"modules\":\"M1\",\"financed\":true}\n"
"{\"type\":\"path\",\"ref\":\"P11\",\"trainee\":\"T11\",\"session\":\"S2\",\"hours\":35,\"modules\":\"M1\",\"financed\":true}\n"
"{\"type\":\"path\",\"ref\":\"P12\",\"trainee\":\"T12\",\"session\":\"S3\",\"intent\":\"I6\",\"hours\":420,\"modules\":\"M1\",\"financed\":true}\n";

#endif
