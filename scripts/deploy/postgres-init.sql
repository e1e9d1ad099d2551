-- One database per node in the one PostgreSQL (each node creates its own tables at start).
-- Run once by the postgres image when its data folder is new (/docker-entrypoint-initdb.d);
-- the same text is the ConfigMap postgres-init in k8s/postgres.yaml (tests/unit/test_deploy.py).
CREATE DATABASE hub OWNER settlenet;
CREATE DATABASE province_11 OWNER settlenet;
CREATE DATABASE province_13 OWNER settlenet;
CREATE DATABASE province_44 OWNER settlenet;
CREATE DATABASE province_51 OWNER settlenet;
